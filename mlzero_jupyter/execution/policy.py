"""The code policy: a static (AST) check of every attempt before it runs.

Categories and their default actions, each configurable as ``block``, ``ask`` or ``allow``:

=================  =======  ===========================================================================
category           default  what it flags
=================  =======  ===========================================================================
syntax             block    the code does not parse (always blocked: nothing could run anyway)
input_change       block    a write, move, permission change or deletion under the input folder
write_outside      block    a write or deletion outside the attempt folder (absolute paths, ``..``, ``~``),
                            or a deletion whose target cannot be known before running
shell              block    subprocess, os.system/popen/exec*/spawn*, pty, IPython ``!`` and ``%`` magics
package_install    block    pip, conda, mamba, uv or poetry installs in any form
network            ask      network modules (socket, requests, urllib.request, httpx, boto3, ...) and URLs
                            passed to calls (``pd.read_csv("https://...")``)
env_access         ask      reading credential-like variables or the whole environment (os.environ dumps)
dynamic_code       ask      exec/eval/compile and their aliases, imports or lookups by names computed at run
                            time, ``sys.modules``, star imports, ``vars``/``globals``/``__dict__``,
                            ``operator.attrgetter``, ctypes/cffi/runpy, ``__builtins__``, a module reached
                            through another (``shutil.os``), importing a file the code writes
unchecked_write    ask      a write whose target cannot be known before running (allow under bubblewrap,
                            where only the attempt folder is writable, unless configured)
=================  =======  ===========================================================================

Why these defaults: the first four can destroy or leak the user's data or change their machine and are never
needed by a training script, so they are blocked outright. Network access, environment reads and dynamic code
have rare legitimate uses (a user who asks for a download, an OMP setting), so a person decides: the notebook
shows the approval widget; a headless run (no one to ask) skips the attempt, so "ask" never runs unattended.
The executor scrubs credentials from the attempt's environment anyway; ``env_access`` flags the intent.

The check is static, hence best effort: the input fingerprint after each attempt is the backstop for changes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.execution import sandbox
from mlzero_jupyter.execution.code_checker import INSTALL_TEXT, CodeChecker

ACTIONS = ("block", "ask", "allow")
DEFAULT_RULES: dict[str, str] = {
    "syntax": "block",
    "input_change": "block",
    "write_outside": "block",
    "shell": "block",
    "package_install": "block",
    "network": "ask",
    "env_access": "ask",
    "dynamic_code": "ask",
    "unchecked_write": "ask",
}
#: Categories the bubblewrap sandbox contains: allowed under it unless the user's rules say otherwise.
CONTAINED = {"unchecked_write": "allow"}
MAGIC_LINE = re.compile(r"^\s*(!|%%?)\s*(\S+)")


@dataclass
class Finding:
    category: str
    line: int
    message: str
    action: str  # block, ask or allow


@dataclass
class PolicyReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(f.action == "block" for f in self.findings)

    @property
    def clean(self) -> bool:
        """Nothing to block and nothing to ask about."""
        return all(f.action == "allow" for f in self.findings)

    def categories(self, action: str | None = None) -> set[str]:
        return {f.category for f in self.findings if action is None or f.action == action}

    def messages(self, action: str) -> list[str]:
        return [f"line {f.line}: {f.message} [{f.category}]" for f in self.findings if f.action == action]

    def describe(self, action: str) -> str:
        return "\n".join(self.messages(action))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyReport:
        return cls([Finding(**f) for f in data.get("findings", [])])


def check_rules(rules: dict[str, str] | None) -> dict[str, str]:
    """The defaults updated by ``rules``; unknown categories, unknown actions and an unblocked ``syntax`` are
    configuration errors."""
    rules = dict(rules or {})
    unknown = sorted(set(rules) - set(DEFAULT_RULES))
    if unknown:
        raise ConfigError(f"unknown code policy categor{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}; "
                          f"known: {', '.join(DEFAULT_RULES)}")
    bad = {k: v for k, v in rules.items() if v not in ACTIONS}
    if bad:
        raise ConfigError(f"code policy actions must be one of {', '.join(ACTIONS)}; got {bad}")
    if rules.get("syntax", "block") != "block":
        raise ConfigError("code that does not parse is always blocked; remove 'syntax' from the code policy")
    return {**DEFAULT_RULES, **rules}


def check_code(code: str, *, attempt_dir: Path, input_dir: Path, rules: dict[str, str] | None = None) -> PolicyReport:
    """The findings of ``code`` with the action each category's rule gives them (allowed ones included)."""
    actions = check_rules(rules)
    if sandbox.isolation().kind == "bubblewrap":
        actions.update({k: v for k, v in CONTAINED.items() if k not in (rules or {})})
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        found = [("syntax", error.lineno or 0, f"the code does not parse: {error.msg}")] + _magic_lines(code)
    else:
        found = [(f.category, f.line, f.message) for f in CodeChecker(Path(attempt_dir), Path(input_dir)).check(tree)]
    unique = dict.fromkeys(found)  # the same finding reported twice (an alias and a call) counts once
    return PolicyReport([Finding(c, line, message, actions[c]) for c, line, message in unique])


def _magic_lines(code: str) -> list[tuple[str, int, str]]:
    """IPython's ``!cmd``, ``%pip``, ``%%bash`` lines: they are why such code does not parse as Python."""
    found = []
    for number, line in enumerate(code.splitlines(), start=1):
        match = MAGIC_LINE.match(line)
        if not match:
            continue
        command = line.strip()
        if INSTALL_TEXT.search(command.lstrip("!%")) or match.group(2) in {"pip", "conda", "mamba"}:
            found.append(("package_install", number, f"installs packages ({command[:60]!r})"))
        elif match.group(1) == "!" or match.group(2) in {"system", "sx", "bash", "sh", "script"}:
            found.append(("shell", number, f"runs a shell command ({command[:60]!r})"))
    return found
