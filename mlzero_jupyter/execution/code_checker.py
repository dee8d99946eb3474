"""The AST walk behind the code policy: imports, calls, environment reads and file writes, each a raw finding."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from mlzero_jupyter.execution.environment import is_secret
from mlzero_jupyter.execution.static_paths import PathResolver, shown

NETWORK_MODULES = {"socket", "socketserver", "ssl", "requests", "urllib.request", "urllib3", "http.client",
                   "http.server", "httpx", "httplib2", "aiohttp", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib",
                   "xmlrpc", "paramiko", "websocket", "websockets", "pycurl", "grpc", "boto3", "botocore", "kaggle",
                   "gdown", "wget", "huggingface_hub"}
IMPORT_CALLS = {"__import__", "importlib.import_module", "builtins.__import__", "importlib.__import__"}
#: Modules that reach functions the check cannot see: native calls, code runners, module tables, raw spawning.
DYNAMIC_MODULES = {"ctypes", "cffi", "runpy", "_posixsubprocess", "multiprocessing.util", "importlib.util",
                   "importlib.machinery", "code", "codeop", "marshal", "_ctypes", "posix", "nt"}
#: Calls that turn names into functions out of the check's sight.
INDIRECT_CALLS = {"vars", "globals", "builtins.vars", "builtins.globals", "operator.attrgetter",
                  "operator.methodcaller", "sys.path.insert", "sys.path.append", "sys.path.extend"}
#: Attributes that reach a module's or function's internals.
INDIRECT_ATTRIBUTES = {"__dict__", "__globals__", "__builtins__", "__subclasses__", "__code__", "__loader__"}
#: Attributes of a module that are themselves a dangerous module (``shutil.os.system``).
MODULE_ATTRIBUTES = {"os", "subprocess", "sys", "builtins", "posix", "importlib", "ctypes"}
RUNNERS = {"eval", "exec", "compile", "__import__"}
SHELL_MODULES = {"subprocess", "pty", "pexpect", "sh", "plumbum"}
INSTALL_MODULES = {"pip", "ensurepip"}
SHELL_CALLS = re.compile(r"^os\.(system|popen|exec\w*|spawn\w*|posix_spawnp?|forkpty)$|"
                         r"^asyncio\.create_subprocess_\w+$|^(IPython\.)?get_ipython\.(system|getoutput|run_\w+_magic)$")
DYNAMIC_CALLS = {"exec", "eval", "compile", "builtins.exec", "builtins.eval"}
INSTALL_TEXT = re.compile(r"\b(pip3?|conda|mamba|micromamba|uv( pip)?|poetry)\s+(install|add)\b|-m\s+pip\s+install")
INSTALLERS = {"pip", "pip3", "conda", "mamba", "micromamba", "uv", "poetry"}
URL = re.compile(r"^(https?|ftp|s3|gs|az|hf)://", re.IGNORECASE)
ENVIRON = {"os.environ", "os.environb"}
ENV_GETTERS = {"os.getenv", "os.getenvb", "os.environ.get", "os.environ.pop", "os.environ.setdefault"}
OPENERS = {"open", "builtins.open", "io.open", "gzip.open", "bz2.open", "lzma.open", "codecs.open"}
# module functions that write or delete: name -> indexes of the arguments that are written (sources of copies are
# only read; a move or rename deletes its source)
FILE_FUNCTIONS = {
    **{f"os.{n}": (0,) for n in ("remove", "unlink", "rmdir", "removedirs", "makedirs", "mkdir", "truncate", "chmod",
                                 "chown", "utime", "mkfifo")},
    **{f"os.{n}": (0, 1) for n in ("rename", "renames", "replace")},
    **{f"os.{n}": (1,) for n in ("symlink", "link")},
    "shutil.rmtree": (0,), "shutil.move": (0, 1), "shutil.chown": (0,),
    **{f"shutil.{n}": (1,) for n in ("copy", "copy2", "copyfile", "copytree", "copymode", "copystat")},
}
DELETIONS = {"remove", "unlink", "rmdir", "removedirs", "rmtree", "rename", "renames", "replace", "move", "truncate"}
# methods whose first argument (or ``path``-like keyword) is the file written: DataFrame writers, figures, models
WRITER_METHODS = {"to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle", "to_hdf", "to_stata",
                  "to_orc", "to_xml", "to_markdown", "to_latex", "to_html", "savefig", "save_model", "extractall",
                  "write_image", "to_filename"}
# functions and methods that may take the file in any position: np.save(file, a), torch.save(obj, f), joblib.dump
SAVERS = {"save", "savez", "savez_compressed", "savetxt", "dump", "imwrite", "imsave"}
# Path methods that change the file they are called on
PATH_METHODS = {"write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir", "chmod", "symlink_to",
                "hardlink_to", "rename", "replace"}
PATH_KEYWORDS = {"path", "path_or_buf", "fname", "filename", "file", "dst", "excel_writer", "path_or_buffer"}


@dataclass
class RawFinding:
    category: str
    line: int
    message: str


class CodeChecker(ast.NodeVisitor):
    """Collects raw findings; ``policy.check_code`` turns them into actions."""

    def __init__(self, attempt_dir: Path, input_dir: Path) -> None:
        self.aliases: dict[str, str] = {}  # local name -> qualified name (imports)
        self.paths = PathResolver(attempt_dir, input_dir, self.qualify)
        self.parents: dict[ast.AST, ast.AST] = {}
        self.found: list[RawFinding] = []
        self.imported: list[tuple[str, ast.AST]] = []
        self.written_modules: set[str] = set()  # module names of .py files the code writes

    def check(self, tree: ast.AST) -> list[RawFinding]:
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.visit(tree)
        for module, node in self.imported:
            if module.split(".")[0] in self.written_modules:
                self.flag("dynamic_code", node, f"imports {module}, a file the code itself writes")
        return self.found

    def flag(self, category: str, node: ast.AST, message: str) -> None:
        self.found.append(RawFinding(category, getattr(node, "lineno", 0), message))

    def qualify(self, node: ast.AST) -> str:
        """``subprocess.run`` for ``sp.run`` after ``import subprocess as sp``; ``?.to_csv`` for unknown objects."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return f"{self.qualify(node.value)}.{node.attr}"
        if isinstance(node, ast.Call):
            function = self.qualify(node.func)
            if function in IMPORT_CALLS and node.args and isinstance(self.paths.value(node.args[0]), str):
                return self.paths.value(node.args[0])  # __import__("sh" + "util") is shutil
            attribute = self.paths.value(node.args[1]) if function == "getattr" and len(node.args) > 1 else None
            return f"{self.qualify(node.args[0])}.{attribute}" if attribute else function
        return "?"

    # -- imports ------------------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
            self._module(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if any(alias.name == "*" for alias in node.names):
            self.flag("dynamic_code", node, f"imports every name of {module or 'a module'} (*), which hides "
                                            "which functions are used")
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            self._module(f"{module}.{alias.name}", node)
        self._module(module, node)

    def _module(self, module: str, node: ast.AST) -> None:
        parts = module.split(".")
        prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        self.imported.append((module, node))
        if prefixes & DYNAMIC_MODULES:
            self.flag("dynamic_code", node, f"imports {module}, which reaches code the check cannot see")
        if prefixes & NETWORK_MODULES:
            self.flag("network", node, f"imports {module}, which can open network connections")
        if prefixes & SHELL_MODULES:
            self.flag("shell", node, f"imports {module}, which runs other programs")
        if prefixes & INSTALL_MODULES:
            self.flag("package_install", node, f"imports {module}, which installs packages")

    # -- assignments: remember constant paths -----------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name) and node.value is not None:
            self._bind(node.target.id, node.value)

    def _bind(self, name: str, value: ast.AST) -> None:
        imported = isinstance(value, ast.Call) and self.qualify(value.func) in IMPORT_CALLS
        qualified = self.qualify(value) if imported or isinstance(value, (ast.Name, ast.Attribute)) else ""
        if qualified.split(".")[0] in {"os", "shutil", "subprocess", "builtins", "pathlib"}:
            self.aliases[name] = qualified  # run = subprocess.run
        self.paths.bind(name, value)

    def visit_For(self, node: ast.For) -> None:
        """``for f in DATA_DIR.glob("*")``: ``f`` is somewhere inside DATA_DIR."""
        self.visit(node.iter)
        listed = isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Attribute) and \
            node.iter.func.attr in {"glob", "rglob", "iterdir"}
        base = self.paths.value(node.iter.func.value) if listed else None
        if isinstance(node.target, ast.Name):
            self.paths.bind(node.target.id, None, value=f"{base}/\0any" if base is not None else None)
            if listed:
                self.paths.path_names.add(node.target.id)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    # -- environment ----------------------------------------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        qualified = self.qualify(node)
        if qualified in ENVIRON:
            self._environment_use(node)
        if qualified == "sys.modules" or node.attr in INDIRECT_ATTRIBUTES:
            self.flag("dynamic_code", node, f"uses {node.attr}, which reaches functions by names the check cannot see")
        elif node.attr in MODULE_ATTRIBUTES and qualified.split(".")[0] in set(self.aliases.values()) | \
                {a.split(".")[0] for a in self.aliases.values()}:
            self.flag("dynamic_code", node, f"reaches the {node.attr} module through {qualified}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if self.aliases.get(node.id) in ENVIRON:
            self._environment_use(node)
        parent = self.parents.get(node)
        called = isinstance(parent, ast.Call) and parent.func is node
        if node.id == "__builtins__" or (node.id in RUNNERS and not called and isinstance(node.ctx, ast.Load)):
            self.flag("dynamic_code", node, f"passes {node.id} around, which hides what code runs")

    def _environment_use(self, node: ast.AST) -> None:
        """A read of one named, harmless variable or a write is fine; the whole environment or a secret is not."""
        parent = self.parents.get(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            key = self.paths.value(parent.slice)
            if isinstance(parent.ctx, (ast.Store, ast.Del)) and key is not None:
                return
            self._environment_key(parent, key)
        elif isinstance(parent, ast.Attribute) and parent.attr in {"get", "pop", "setdefault", "update", "__setitem__"}:
            return  # checked as a call (visit_Call) or a write
        elif not isinstance(parent, ast.Attribute) or parent.attr != "environ":
            self.flag("env_access", node, "reads the whole environment (os.environ), which may hold credentials")

    def _environment_key(self, node: ast.AST, key: str | None) -> None:
        if key is None:
            self.flag("env_access", node, "reads an environment variable whose name is computed at run time")
        elif is_secret(key):
            self.flag("env_access", node, f"reads the credential variable {key}")

    # -- calls ------------------------------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        name = self.qualify(node.func)
        if SHELL_CALLS.match(name):
            self.flag("shell", node, f"calls {name}, which runs a shell command")
        if name in ENV_GETTERS:
            self._environment_key(node, self.paths.value(node.args[0]) if node.args else None)
        self._dynamic(node, name)
        self._urls(node)
        self._writes(node, name)
        self.generic_visit(node)

    def _dynamic(self, node: ast.Call, name: str) -> None:
        if name in INDIRECT_CALLS or name.startswith("multiprocessing.util."):
            self.flag("dynamic_code", node, f"calls {name}, which reaches functions or modules the check cannot see")
        if name in DYNAMIC_CALLS:
            self.flag("dynamic_code", node, f"runs code built at run time ({name}), which cannot be checked")
        elif name in IMPORT_CALLS:
            module = self.paths.value(node.args[0]) if node.args else None
            if module is None:
                self.flag("dynamic_code", node, "imports a module whose name is computed at run time")
            else:
                self._module(module, node)
        elif name in {"getattr", "builtins.getattr"} and len(node.args) > 1 and self.paths.value(node.args[1]) is None:
            owner = self.qualify(node.args[0]).split(".")[0]
            if owner in {"os", "shutil", "subprocess", "builtins", "socket", "pathlib"}:
                self.flag("dynamic_code", node, f"looks up a function of {owner} by a name computed at run time")

    def _urls(self, node: ast.Call) -> None:
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            text = self.paths.value(argument)
            if text is not None and URL.match(text):
                self.flag("network", node, f"reads {shown(text)[:80]} over the network")

    def visit_Constant(self, node: ast.Constant) -> None:
        docstring = isinstance(self.parents.get(node), ast.Expr)
        if isinstance(node.value, str) and not docstring and INSTALL_TEXT.search(node.value):
            self.flag("package_install", node, f"installs packages ({node.value.strip()[:60]!r})")

    def visit_List(self, node: ast.List) -> None:
        self._command_words(node)
        self.generic_visit(node)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        self._command_words(node)
        self.generic_visit(node)

    def _command_words(self, node: ast.List | ast.Tuple) -> None:
        """``[sys.executable, "-m", "pip", "install", ...]`` and ``["conda", "install", ...]``."""
        words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        for index, word in enumerate(words):
            if word.rsplit("/", 1)[-1] in INSTALLERS and {"install", "add"} & set(words[index + 1:]):
                self.flag("package_install", node, f"installs packages ({' '.join(words)[:60]!r})")
                return

    # -- file writes ------------------------------------------------------------------------------------------------
    def _writes(self, node: ast.Call, name: str) -> None:
        method = name.split(".")[-1]
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name in OPENERS or (method == "open" and receiver is not None and self.paths.is_path(receiver)):
            self._open(node, receiver if name not in OPENERS else None)
        elif name in FILE_FUNCTIONS:
            for index in FILE_FUNCTIONS[name]:
                self._target(node.args[index] if len(node.args) > index else None, node, name, method in DELETIONS)
        elif receiver is not None and method in PATH_METHODS and self._is_path_call(receiver, method):
            self._target(receiver, node, f".{method}()", method in DELETIONS)
            if method in {"rename", "replace"} and node.args:
                self._target(node.args[0], node, f".{method}()", False)
        elif method in WRITER_METHODS:
            self._target(self._path_argument(node), node, f".{method}()", False, required=False)
        elif method in SAVERS:
            for argument in [*node.args, *(k.value for k in node.keywords if k.arg in PATH_KEYWORDS)]:
                if self.paths.value(argument) is not None:
                    self._target(argument, node, name, False)
        elif method.endswith("Predictor"):  # AutoGluon writes its models to path=
            self._target(next((k.value for k in node.keywords if k.arg == "path"), None), node,
                         f"{method}(path=...)", False)
        elif name == "sqlite3.connect" and node.args:
            text = self.paths.value(node.args[0])
            if text is not None and "mode=ro" not in text and self.paths.where(text) == "input_change":
                self.flag("input_change", node, f"opens the database {shown(text)} writable (use ?mode=ro)")

    def _is_path_call(self, receiver: ast.AST, method: str) -> bool:
        """``text.replace('a', 'b')`` and ``frame.rename(columns=...)`` are not file operations; on a Path they are.
        The other Path method names are specific enough to count on any object but a module."""
        if method in {"rename", "replace"}:
            return self.paths.is_path(receiver)
        return not (isinstance(receiver, ast.Name) and receiver.id in self.aliases)

    def _path_argument(self, node: ast.Call) -> ast.AST | None:
        if node.args:
            return node.args[0]
        return next((k.value for k in node.keywords if k.arg in PATH_KEYWORDS), None)

    def _open(self, node: ast.Call, receiver: ast.AST | None) -> None:
        arguments = node.args if receiver is None else [receiver, *node.args]
        mode_node = arguments[1] if len(arguments) > 1 else next((k.value for k in node.keywords if k.arg == "mode"),
                                                                  None)
        mode = self.paths.value(mode_node) if mode_node is not None else "r"
        if mode is None or set(mode) & set("wax+"):
            self._target(arguments[0] if arguments else None, node, "open for writing", False)

    def _target(self, target: ast.AST | None, node: ast.AST, verb: str, deletion: bool, required: bool = True) -> None:
        path = self.paths.value(target) if target is not None else None
        if path is None:
            if deletion and required:
                self.flag("write_outside", node, f"{verb} on a path that cannot be checked before running")
            elif required:
                self.flag("unchecked_write", node, f"{verb} on a path that cannot be checked before running")
            return
        if path.endswith(".py"):
            self.written_modules.add(Path(path).stem)
        category = self.paths.where(path)
        if category == "input_change":
            self.flag(category, node, f"{verb}: {shown(path)} is in the input folder, which must never change")
        elif category == "write_outside":
            self.flag(category, node, f"{verb}: {shown(path)} is outside the attempt folder (write only there)")
