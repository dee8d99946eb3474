"""The code policy: a static (AST) check of every attempt before it runs.

Categories and their default actions (each configurable as block, ask or allow):

- ``syntax``: the code does not parse (always blocked);
- ``input_change`` (block): writes, moves or deletions under the input folder;
- ``write_outside`` (block): writes or deletions outside the attempt folder (absolute paths, ``..``), and
  deletions whose target cannot be resolved statically;
- ``shell`` (block): subprocess, os.system and friends;
- ``package_install`` (block): pip, conda or uv installs in any form;
- ``network`` (ask): modules that open connections; AutoGluon needs none on a prepared machine;
- ``secrets`` (ask): reading credential variables or dumping the environment (the attempt's environment is
  scrubbed anyway, so this flags intent).

Paths are resolved through string constants, ``Path(...)``, ``/`` joins, f-strings of constants and simple
module-level assignments, which covers how generated code names its files.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path

from mlzero_jupyter.execution.environment import SECRET_NAME

DEFAULT_RULES = {
    "syntax": "block",
    "input_change": "block",
    "write_outside": "block",
    "shell": "block",
    "package_install": "block",
    "network": "ask",
    "secrets": "ask",
}
NETWORK_MODULES = {"socket", "requests", "urllib", "urllib3", "http", "httpx", "aiohttp", "ftplib", "smtplib",
                   "paramiko", "websocket", "websockets", "boto3", "botocore"}
SHELL_MODULES = {"subprocess", "pty", "pexpect"}
SHELL_CALLS = {"system", "popen", "spawnl", "spawnlp", "spawnv", "spawnvp", "execv", "execve", "execl", "execlp",
               "execvp", "startfile", "posix_spawn", "forkpty"}
WRITE_CALLS = {"to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle", "to_sql", "savefig",
               "save", "dump", "copy", "copyfile", "copy2", "copytree", "move", "makedirs", "mkdir", "touch",
               "write_text", "write_bytes", "symlink_to", "link", "symlink", "savez", "imwrite"}
DELETE_CALLS = {"remove", "unlink", "rmdir", "rmtree", "removedirs", "rename", "replace", "truncate"}
RECEIVER_TARGETS = {"write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir", "symlink_to", "rename",
                    "replace"}  # Path methods: the path is the object the method is called on


@dataclass
class Finding:
    category: str
    line: int
    message: str
    action: str


@dataclass
class PolicyReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(f.action == "block" for f in self.findings)

    def messages(self, action: str) -> list[str]:
        return [f"line {f.line}: {f.message} [{f.category}]" for f in self.findings if f.action == action]

    def describe(self, action: str) -> str:
        return "\n".join(self.messages(action))


class _Checker(ast.NodeVisitor):
    def __init__(self, attempt_dir: Path, input_dir: Path) -> None:
        self.attempt_dir, self.input_dir = attempt_dir.resolve(), input_dir.resolve()
        self.constants: dict[str, str] = {}
        self.found: list[tuple[str, int, str]] = []

    def flag(self, category: str, node: ast.AST, message: str) -> None:
        self.found.append((category, getattr(node, "lineno", 0), message))

    # -- names that stand for paths ---------------------------------------------------------------------------
    def resolve(self, node: ast.AST | None) -> str | None:
        """The string value of a path expression, when it is made of constants."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
            left, right = self.resolve(node.left), self.resolve(node.right)
            if left is not None and right is not None:
                return os.path.join(left, right) if isinstance(node.op, ast.Div) else left + right
        if isinstance(node, ast.JoinedStr):
            parts = [self.resolve(v.value) if isinstance(v, ast.FormattedValue) else v.value for v in node.values]
            return "".join(parts) if all(isinstance(p, str) for p in parts) else None
        if isinstance(node, ast.Call) and _name(node.func) in {"Path", "PurePath", "join", "abspath", "resolve",
                                                                 "expanduser", "str"}:
            target = node.func.value if _name(node.func) in {"resolve", "expanduser"} and isinstance(
                node.func, ast.Attribute) else None
            parts = [self.resolve(a) for a in ([target] if target is not None else node.args)]
            return os.path.join(*parts) if parts and all(isinstance(p, str) for p in parts) else None
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.resolve(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and value is not None:
                self.constants[target.id] = value
        self.generic_visit(node)

    # -- imports and calls --------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._module(node.module or "", node)

    def _module(self, module: str, node: ast.AST) -> None:
        top = module.split(".")[0]
        if top in NETWORK_MODULES:
            self.flag("network", node, f"imports {module}, which can open network connections")
        if top in SHELL_MODULES:
            self.flag("shell", node, f"imports {module}, which runs shell commands")
        if top == "pip":
            self.flag("package_install", node, "imports pip")

    def visit_Constant(self, node: ast.Constant) -> None:
        text = node.value if isinstance(node.value, str) else ""
        if any(f"{tool} install" in text for tool in ("pip", "conda", "uv pip", "mamba")):
            self.flag("package_install", node, f"installs packages ({text.strip()[:60]!r})")

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
        if owner == "os" and name in SHELL_CALLS:
            self.flag("shell", node, f"calls os.{name}")
        if name in {"getenv", "get"} and owner in {"os", "environ"} or name in {"items", "copy"} and owner == "environ":
            self._environment(node, name)
        if name == "open":
            self._open(node)
        elif name in WRITE_CALLS or name in DELETE_CALLS:
            self._write(node, name)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _name(node.value) == "environ":
            key = self.resolve(node.slice)
            if key and SECRET_NAME.search(key):
                self.flag("secrets", node, f"reads the credential variable {key}")
        self.generic_visit(node)

    def _environment(self, node: ast.Call, name: str) -> None:
        key = self.resolve(node.args[0]) if node.args else None
        if name in {"items", "copy"}:
            self.flag("secrets", node, "reads the whole environment")
        elif key and SECRET_NAME.search(key):
            self.flag("secrets", node, f"reads the credential variable {key}")

    def _open(self, node: ast.Call) -> None:
        mode_node = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        mode = self.resolve(mode_node) if mode_node is not None else "r"
        if mode is None or any(c in mode for c in "wax+"):
            self._check_target(node.args[0] if node.args else None, node, "opens for writing", deletion=False)

    def _write(self, node: ast.Call, name: str) -> None:
        if name in RECEIVER_TARGETS and isinstance(node.func, ast.Attribute) and not _is_module(node.func.value):
            target = node.func.value
        else:
            target = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg in {"path", "path_or_buf", "fname", "dst", "src"}), None)
        if name in {"copy", "copyfile", "copy2", "copytree", "move", "rename", "replace", "symlink"} and len(node.args) > 1:
            self._check_target(node.args[1], node, f"{name} writes", deletion=False)
        self._check_target(target, node, f"{name}", deletion=name in DELETE_CALLS)

    def _check_target(self, target: ast.AST | None, node: ast.AST, verb: str, deletion: bool) -> None:
        path = self.resolve(target) if target is not None else None
        if path is None:
            if deletion:
                self.flag("write_outside", node, f"{verb} on a path that cannot be checked before running")
            return
        resolved = Path(path) if os.path.isabs(path) else self.attempt_dir / path
        resolved = Path(os.path.normpath(resolved))
        if resolved == self.input_dir or self.input_dir in resolved.parents:
            self.flag("input_change", node, f"{verb} {path} inside the input folder")
        elif resolved != self.attempt_dir and self.attempt_dir not in resolved.parents:
            self.flag("write_outside", node, f"{verb} {path}, outside the attempt folder")


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_module(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in {"os", "shutil", "pathlib", "np", "numpy", "json", "pickle",
                                                       "joblib", "torch", "plt", "pd"}


def check_code(code: str, *, attempt_dir: Path, input_dir: Path, rules: dict[str, str] | None = None) -> PolicyReport:
    """Findings for ``code`` with the action each category's rule gives them."""
    actions = {**DEFAULT_RULES, **(rules or {})}
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return PolicyReport([Finding("syntax", error.lineno or 0, f"SyntaxError: {error.msg}", "block")])
    checker = _Checker(Path(attempt_dir), Path(input_dir))
    checker.visit(tree)
    findings = [Finding(c, line, message, actions.get(c, "block")) for c, line, message in checker.found]
    return PolicyReport([f for f in findings if f.action != "allow"])
