"""Static path resolution for the code policy: which file a write in the code targets, without running it.

Resolves string constants, ``Path(...)``, ``/`` and ``os.path.join``, string concatenation, f-strings,
``.parent`` chains, ``.resolve()``/``.absolute()`` (relative paths taken against the attempt folder),
``.with_suffix()``, ``Path.cwd()``/``os.getcwd()`` (the attempt folder), ``__file__``,
``~``, and names assigned from any of these. A join whose first part is known and the rest is not (a loop
variable) resolves to "somewhere inside the known part", which is what matters for the input folder.
"""

from __future__ import annotations

import ast
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from mlzero_jupyter.coding.contract import CODE_FILE

#: Stands for an unknown path component in a partly resolved path.
ANY = "\0any"
PATH_FUNCTIONS = {"Path", "pathlib.Path", "PurePath", "pathlib.PurePath", "PosixPath", "pathlib.PosixPath",
                  "os.path.join", "os.path.abspath", "os.path.normpath", "os.path.realpath", "str", "os.fspath"}
SAME_PATH_METHODS = {"expanduser", "as_posix"}
#: Methods and functions whose result is absolute: a relative path is taken against the working directory.
ABSOLUTE_METHODS = {"resolve", "absolute"}
ABSOLUTE_FUNCTIONS = {"os.path.abspath", "os.path.realpath"}


class PathResolver:
    """Values of path expressions, and where a path lies: in the attempt folder, the input folder, elsewhere."""

    def __init__(self, attempt_dir: Path, input_dir: Path, qualify: Callable[[ast.AST], str]) -> None:
        self.attempt_dir = Path(os.path.normpath(Path(attempt_dir).resolve()))
        self.input_dir = Path(os.path.normpath(Path(input_dir).resolve()))
        self.qualify = qualify
        self.constants: dict[str, str] = {}
        self.path_names: set[str] = set()  # names bound to Path objects (so .replace() is a file operation)

    def bind(self, name: str, node: ast.AST | None, value: str | None = None) -> None:
        """Remember (or forget) what ``name`` holds after an assignment or a for loop."""
        value = value if value is not None else (self.value(node) if node is not None else None)
        if value is None:
            self.constants.pop(name, None)
        else:
            self.constants[name] = value
        if node is not None and self.is_path(node):
            self.path_names.add(name)
        else:
            self.path_names.discard(name)

    def is_path(self, node: ast.AST) -> bool:
        """Whether the expression is (statically) a pathlib.Path."""
        if isinstance(node, ast.Name):
            return node.id in self.path_names
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return True
        if isinstance(node, ast.Call):
            name = self.qualify(node.func)
            return name.split(".")[-1] in {"Path", "PurePath", "PosixPath", "cwd", "home", "joinpath", "with_suffix",
                                            "with_name", "resolve", "absolute", "expanduser"}
        return isinstance(node, ast.Attribute) and node.attr == "parent"

    def value(self, node: ast.AST) -> str | None:
        """The string a path expression evaluates to, when it is made of things known before running."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return str(self.attempt_dir / CODE_FILE) if node.id == "__file__" else self.constants.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
            return self._combine(node)
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v.value) if isinstance(v, ast.FormattedValue) else v.value for v in node.values]
            return "".join(p if p is not None else ANY for p in parts) if parts and parts[0] is not None else None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            inner = self.value(node.value)
            return os.path.dirname(self.absolute(inner)) if inner is not None else None
        if isinstance(node, ast.Call):
            return self._call_value(node)
        return None

    def _combine(self, node: ast.BinOp) -> str | None:
        left, right = self.value(node.left), self.value(node.right)
        if left is None:
            return None
        right = ANY if right is None else right
        return os.path.join(left, right) if isinstance(node.op, ast.Div) else left + right

    def _call_value(self, node: ast.Call) -> str | None:
        name = self.qualify(node.func)
        last = name.split(".")[-1]
        if name in {"Path.cwd", "pathlib.Path.cwd", "os.getcwd"}:
            return str(self.attempt_dir)
        if name in {"Path.home", "pathlib.Path.home"}:
            return str(Path.home())
        if name == "tempfile.gettempdir":
            return tempfile.gettempdir()
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name in PATH_FUNCTIONS or name == "os.path.expanduser":
            parts = [self.value(a) for a in node.args]
            if not parts or parts[0] is None:
                return None
            joined = os.path.join(*[p if p is not None else ANY for p in parts])
            return self.absolute(joined) if name in ABSOLUTE_FUNCTIONS else joined
        if name in {"os.path.dirname"} and node.args:
            inner = self.value(node.args[0])
            return os.path.dirname(self.absolute(inner)) if inner is not None else None
        if receiver is not None and last in ABSOLUTE_METHODS:
            inner = self.value(receiver)
            return self.absolute(inner) if inner is not None else None
        if receiver is not None and last in SAME_PATH_METHODS:
            return self.value(receiver)
        if receiver is not None and last == "joinpath":
            base = self.value(receiver)
            rest = [self.value(a) for a in node.args]
            return os.path.join(base, *[p if p is not None else ANY for p in rest]) if base is not None else None
        if receiver is not None and last in {"with_suffix", "with_name"} and node.args:
            base, new = self.value(receiver), self.value(node.args[0])
            if base is None or new is None:
                return None
            return str(Path(base).with_suffix(new) if last == "with_suffix" else Path(base).with_name(new))
        return None

    def absolute(self, path: str) -> str:
        """``path`` made absolute against the attempt folder (the code's working directory), ``..`` applied."""
        path = os.path.expanduser(path)
        return os.path.normpath(path if os.path.isabs(path) else os.path.join(self.attempt_dir, path))

    def where(self, path: str) -> str | None:
        """None inside the attempt folder; ``input_change`` under the input folder; else ``write_outside``."""
        text = path[len("file:"):] if path.startswith("file:") else path
        text = os.path.expanduser(text.split("?", 1)[0]) if path.startswith("file:") else os.path.expanduser(text)
        resolved = Path(os.path.normpath(text if os.path.isabs(text) else self.attempt_dir / text))
        if _inside(resolved, self.attempt_dir):
            return None
        if _inside(resolved, self.input_dir):
            return "input_change"
        return "write_outside"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def shown(path: str) -> str:
    """A path for a message, with unknown parts shown as ``*``."""
    return path.replace(ANY, "*")
