"""Malformed inputs across the CLI, the magic and the Python API, shared by tests/reliability and
benchmarks/reliability.py.

Every case must end in one line that says what to do: exit code 2 and one stderr line for the CLI, one stderr line
for the magic, a UserInputError with a one-line message for the API; never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reliability_scenarios import cli_lines, environment, make_iris

SHORT = ["--time-limit", "5s", "--max-iterations", "1"]  # a case that wrongly passes ends at once


@dataclass
class Verdict:
    ok: bool
    text: str  # what the user saw


@dataclass
class BadInput:
    front: str  # cli, magic, api
    what: str
    run: Callable[[Path], Verdict]
    env: dict[str, str] = field(default_factory=dict)


# -- the data a user may point at ------------------------------------------------------------------------------
def bad_data(tmp: Path, kind: str) -> Path:
    """A path of the given kind of bad data under ``tmp``."""
    tmp.mkdir(parents=True, exist_ok=True)
    makers: dict[str, Callable[[Path], Any]] = {
        "missing": lambda p: None,
        "empty folder": lambda p: p.mkdir(),
        "empty csv": lambda p: p.write_bytes(b""),
        "binary csv": lambda p: p.write_bytes(os.urandom(20_000)),
        "header-only csv": lambda p: p.write_text("a,b,label\n"),
        "corrupt zip": lambda p: p.write_bytes(b"PK\x03\x04 this is not a zip archive"),
        "empty zip": lambda p: zipfile.ZipFile(p, "w").close(),
        "unknown format": lambda p: p.write_text("nothing a table reader knows"),
        "corrupt parquet": lambda p: p.write_bytes(b"PAR1 definitely not parquet"),
        "one-row csv": lambda p: p.write_text("a,b,label\n1,2,x\n"),
        "zip bomb (120 MB of zeros)": lambda p: _bomb(p, "zip"),
        "tar bomb (120 MB of zeros)": lambda p: _bomb(p, "tar"),
        "gzip bomb (120 MB of zeros)": lambda p: _bomb(p, "gz"),
        "zip of 30 files over a cap of 20": lambda p: _many_files(p, 30),
        "zip over a size cap of 1 MB": lambda p: _many_files(p, 3, size=600_000),
        "million-column header": lambda p: p.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n"
                                                        + ",".join("1" * 1_000_000) + "\n"),
    }
    names = {"missing": "nowhere", "empty folder": "empty", "empty csv": "empty.csv", "binary csv": "noise.csv",
             "header-only csv": "header.csv", "corrupt zip": "broken.zip", "empty zip": "nothing.zip",
             "unknown format": "data.xyz", "corrupt parquet": "broken.parquet", "one-row csv": "one.csv",
             "zip bomb (120 MB of zeros)": "bomb.zip", "tar bomb (120 MB of zeros)": "bomb.tar.gz",
             "gzip bomb (120 MB of zeros)": "bomb.csv.gz", "zip of 30 files over a cap of 20": "many.zip",
             "zip over a size cap of 1 MB": "large.zip", "million-column header": "wide.csv"}
    path = tmp / names[kind]
    makers[kind](path)
    return path


DATA_KINDS = ["missing", "empty folder", "empty csv", "binary csv", "header-only csv", "corrupt zip", "empty zip",
              "unknown format", "corrupt parquet", "one-row csv", "zip bomb (120 MB of zeros)",
              "tar bomb (120 MB of zeros)", "gzip bomb (120 MB of zeros)", "zip of 30 files over a cap of 20",
              "zip over a size cap of 1 MB", "million-column header"]
#: Archive caps lowered for the cases that test them.
CAPS = {"MLZERO_ARCHIVE_MAX_FILES": "20", "MLZERO_ARCHIVE_MAX_BYTES": "1000000"}
BOMB_BYTES = 120 * 1024 * 1024


def _bomb(path: Path, kind: str) -> None:
    """An archive of one CSV of zeros that unpacks to 120 MB (over the 100 MB from which the ratio counts)."""
    import gzip
    import tarfile

    row = b"0" * 1023 + b"\n"
    if kind == "gz":
        with gzip.open(path, "wb", compresslevel=9) as handle:
            for _ in range(BOMB_BYTES // len(row)):
                handle.write(row)
        return
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.csv", "w") as handle:
            for _ in range(BOMB_BYTES // len(row)):
                handle.write(row)
        return
    zeros = path.with_name("zeros.csv")
    with open(zeros, "wb") as handle:
        for _ in range(BOMB_BYTES // len(row)):
            handle.write(row)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(zeros, arcname="zeros.csv")
    zeros.unlink()


def _many_files(path: Path, count: int, size: int = 100) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(count):
            archive.writestr(f"part{index}.csv", "a,b\n" + "1,2\n" * (size // 4))


# -- the three front ends --------------------------------------------------------------------------------------
def cli_verdict(argv: list[str]) -> Verdict:
    """Exit code 2 and exactly one error line (the progress header a run prints first is no error)."""
    code, out, err = cli_lines(argv)
    errors = [line for line in err.splitlines() if ": error: " in line]
    ok = code == 2 and len(errors) == 1 and "Traceback" not in out + err
    return Verdict(ok, "\n".join(errors) or (err + out).strip()[-300:])


def cli_case(what: str, argv: Callable[[Path], list[str]], env: dict[str, str] | None = None) -> BadInput:
    return BadInput("cli", what, lambda tmp: cli_verdict(argv(tmp)), env or {})


def api_case(what: str, call: Callable[[Path], Any], env: dict[str, str] | None = None) -> BadInput:
    def run(tmp: Path) -> Verdict:
        from mlzero_jupyter.errors import UserInputError

        try:
            call(tmp)
        except UserInputError as error:
            return Verdict("\n" not in str(error) and bool(str(error)), str(error))
        except Exception as error:  # noqa: BLE001 (any other exception is the bug this case looks for)
            return Verdict(False, f"{type(error).__name__}: {error}")
        return Verdict(False, "accepted")

    return BadInput("api", what, run, env or {})


def magic_verdict(cell_text: str) -> Verdict:
    """Run a cell through a real IPython shell with the extension loaded; what it printed."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    if "mlzero_jupyter" not in shell.extension_manager.loaded:
        shell.run_cell("%load_ext mlzero_jupyter", store_history=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = shell.run_cell(cell_text, store_history=False)
    text = out.getvalue() + err.getvalue()
    raised = result.error_in_exec or result.error_before_exec
    ok = raised is None and len(err.getvalue().strip().splitlines()) == 1 and "Traceback" not in text
    return Verdict(ok, text.strip()[-300:] or repr(raised))


def magic_case(what: str, cell: Callable[[Path], str], env: dict[str, str] | None = None) -> BadInput:
    return BadInput("magic", what, lambda tmp: magic_verdict(cell(tmp)), env or {})


def iris(tmp: Path) -> str:
    return str(make_iris(tmp / "iris"))


def out(tmp: Path) -> list[str]:
    return ["--output", str(tmp / "runs")]


def _solve(tmp: Path, data: str | None = None, description: Any = "Predict the species.", **options: Any) -> Any:
    from mlzero_jupyter.api import solve

    options = {"output_dir": str(tmp / "runs"), "time_limit": "5s", "max_iterations": 1, **options}
    return solve(data or iris(tmp), description, **options)


# -- the cases ---------------------------------------------------------------------------------------------------
def _cli_cases() -> list[BadInput]:
    cases = [cli_case(f"data: {kind}", lambda tmp, k=kind: ["run", str(bad_data(tmp, k)), "Predict label."]
                      + SHORT + out(tmp), CAPS if "cap" in kind else None) for kind in DATA_KINDS]
    options = {
        "--time-limit banana": ["--time-limit", "banana"],
        "--time-limit -5": ["--time-limit=-5"],
        "--max-iterations 0": ["--max-iterations", "0"],
        "--max-iterations abc": ["--max-iterations", "abc"],
        "unknown provider": ["--provider", "nonsense"],
        "bad base URL": ["--provider", "openai", "--base-url", "localhost-no-scheme"],
        "unknown flag": ["--frobnicate"],
        "--output is a file": ["--output", "{file}"],
    }
    for what, extra in options.items():
        def argv(tmp: Path, extra: list[str] = extra) -> list[str]:
            tmp.mkdir(parents=True, exist_ok=True)
            (tmp / "a-file").write_text("x")
            given = [e.replace("{file}", str(tmp / "a-file")) for e in extra]
            return ["run", iris(tmp), "Predict the species.", *SHORT, *out(tmp), *given]
        cases.append(cli_case(f"option: {what}", argv))
    settings = {"MLZERO_TIME_LIMIT=abc": {"MLZERO_TIME_LIMIT": "abc"},
                "MLZERO_MAX_ITERATIONS=many": {"MLZERO_MAX_ITERATIONS": "many"},
                "MLZERO_POLICY bad action": {"MLZERO_POLICY": '{"network": "maybe"}'},
                "MLZERO_POLICY unknown category": {"MLZERO_POLICY": '{"telepathy": "allow"}'},
                "MLZERO_POLICY not JSON": {"MLZERO_POLICY": "{network: allow}"},
                "MLZERO_POLICY neither JSON nor key=value": {"MLZERO_POLICY": "network"},
                "MLZERO_QUICK=perhaps": {"MLZERO_QUICK": "perhaps"}}
    cases += [cli_case(f"configuration: {what}", lambda tmp: ["run", iris(tmp), "Predict the species.", *out(tmp)],
                       env) for what, env in settings.items()]
    cases.append(cli_case("configuration: MLZERO_ARCHIVE_MAX_BYTES=lots",
                          lambda tmp: ["run", str(bad_data(tmp, "zip of 30 files over a cap of 20")), "Predict b.",
                                       *SHORT, *out(tmp)], {"MLZERO_ARCHIVE_MAX_BYTES": "lots"}))
    descriptions = {"empty": "", "blank": "   \n ", "huge (30,000 characters)": "predict " * 3750,
                    "binary": "Predict\x00\x01\x02 the species"}
    cases += [cli_case(f"description: {what}", lambda tmp, t=text: ["run", iris(tmp), t, *SHORT, *out(tmp)])
              for what, text in descriptions.items()]
    cases += [
        cli_case("run without data", lambda tmp: ["run", *out(tmp)]),
        cli_case("unknown command", lambda tmp: ["frobnicate"]),
        cli_case("show an unknown run", lambda tmp: ["show", "no-such-run", *out(tmp)]),
        cli_case("resume a missing folder", lambda tmp: ["run", "--resume", str(tmp / "gone")]),
        cli_case("resume a folder that is no run", lambda tmp: ["run", "--resume", iris(tmp)]),
    ]
    return cases


def _api_cases() -> list[BadInput]:
    return [
        api_case("solve: missing path", lambda tmp: _solve(tmp, str(tmp / "nowhere"))),
        api_case("solve: empty csv", lambda tmp: _solve(tmp, str(bad_data(tmp, "empty csv")))),
        api_case("solve: zip bomb", lambda tmp: _solve(tmp, str(bad_data(tmp, "zip bomb (120 MB of zeros)")))),
        api_case("solve: million-column header", lambda tmp: _solve(tmp, str(bad_data(tmp, "million-column header")))),
        api_case("solve: time_limit='banana'", lambda tmp: _solve(tmp, time_limit="banana")),
        api_case("solve: max_iterations=0", lambda tmp: _solve(tmp, max_iterations=0)),
        api_case("solve: provider='nonsense'", lambda tmp: _solve(tmp, provider="nonsense")),
        api_case("solve: unknown option", lambda tmp: _solve(tmp, speed="fast")),
        api_case("solve: bad policy action", lambda tmp: _solve(tmp, policy={"shell": "sometimes"})),
        api_case("solve: description not text", lambda tmp: _solve(tmp, description=42)),
        api_case("solve: empty description", lambda tmp: _solve(tmp, description="")),
        api_case("solve: memory_limit_mb='lots'", lambda tmp: _solve(tmp, memory_limit_mb="lots")),
        api_case("solve: memory_limit_mb=-1", lambda tmp: _solve(tmp, memory_limit_mb=-1)),
    ]


def _magic_cases() -> list[BadInput]:
    return [
        magic_case("%%mlzero missing path", lambda tmp: f"%%mlzero {tmp / 'nowhere'}\nPredict the label."),
        magic_case("%%mlzero --time-limit banana", lambda tmp: f"%%mlzero {iris(tmp)} --time-limit banana\nPredict."),
        magic_case("%%mlzero --max-iterations 0", lambda tmp: f"%%mlzero {iris(tmp)} --max-iterations 0\nPredict."),
        magic_case("%%mlzero unknown flag", lambda tmp: f"%%mlzero {iris(tmp)} --frobnicate\nPredict."),
        magic_case("%%mlzero unclosed quote", lambda tmp: "%%mlzero 'unclosed\nPredict."),
        magic_case("%mlzero unknown sub-command", lambda tmp: "%mlzero frobnicate"),
        magic_case("%mlzero show an unknown run", lambda tmp: "%mlzero show no-such-run"),
        magic_case("%%mlzero empty csv", lambda tmp: f"%%mlzero {bad_data(tmp, 'empty csv')}\nPredict the label."),
        magic_case("%%mlzero zip bomb", lambda tmp: f"%%mlzero {bad_data(tmp, 'zip bomb (120 MB of zeros)')}\n"
                                                    "Predict the label."),
    ]


BAD_INPUTS: list[BadInput] = [*_cli_cases(), *_api_cases(), *_magic_cases()]


def check(case: BadInput, tmp: Path) -> Verdict:
    """Run one case in its own folder (also the working directory) with its environment."""
    tmp.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    os.chdir(tmp)
    try:
        with environment(case.env):
            return case.run(tmp)
    finally:
        os.chdir(here)
