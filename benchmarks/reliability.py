"""Reliability figures: every fault scenario, attack and malformed input (reliability_*.py beside this script,
which tests/reliability runs too), run for real, written as a table to docs/reliability.md (and printed).

Run (as root on Linux for the full-disk scenario, which mounts a 3 MB tmpfs): python benchmarks/reliability.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import reliability_attacks as attacks  # noqa: E402 (beside this script; tests/reliability imports them too)
import reliability_bad_inputs as bad  # noqa: E402
import reliability_scenarios as scenarios  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"

INTRO = """# Reliability

Figures produced by `python benchmarks/reliability.py` (the same scenarios as `tests/reliability/`, run for
real: scripted attempts on scikit-learn's iris executed as subprocesses, the real openai SDK against a local HTTP
server, a real tmpfs for the full disk). During every scenario two credentials are planted in the environment
(`OPENAI_API_KEY`, `RELIABILITY_SERVICE_TOKEN`); *secrets leaked* counts the files of the run folders (and, for
the prompt injection, the bodies posted to the attacker's server) that contain their value. *Data lost* counts
input files changed, added or removed. See [security](security.md) for the layers these figures test.
"""


def run_scenario(scenario, workdir: Path) -> tuple[scenarios.Outcome, float]:
    started = time.monotonic()
    try:
        outcome = scenario(workdir)
    except Exception as error:  # noqa: BLE001 (a crash of a scenario is a fault not survived, reported as such)
        outcome = scenarios.Outcome(scenario.__name__, False, 0, 0, f"crashed: {type(error).__name__}: {error}")
    return outcome, time.monotonic() - started


def fault_rows(workdir: Path) -> list[str]:
    rows = []
    for index, scenario in enumerate(scenarios.SCENARIOS):
        if scenario is scenarios.disk_full and not scenarios.can_mount():
            rows.append("| disk full under the run folder | not run (needs root to mount a tmpfs) | - | - | - | |")
            continue
        outcome, seconds = run_scenario(scenario, workdir / f"fault-{index}")
        detail = outcome.detail.replace("|", "/").replace("\n", " ")
        rows.append(f"| {outcome.fault} | {'yes' if outcome.survived else '**no**'} | {outcome.data_lost} | "
                    f"{outcome.secrets_leaked} | {seconds:.1f} | {detail} |")
        print(rows[-1], flush=True)
    return rows


def attack_rows(workdir: Path) -> list[str]:
    """The policy one-liners, then the sandbox attacks under the default isolation."""
    from mlzero_jupyter.execution.sandbox import isolation

    rows = []
    for index, (name, code) in enumerate(attacks.POLICY_ATTACKS.items()):
        flagged, detail = attacks.policy_verdict(code, workdir / f"policy-{index}")
        rows.append(f"| policy: `{name}` | {'yes' if flagged else '**no**'} | 0 | 0 | - | {detail} |")
    kind = isolation().kind
    for index, attack in enumerate(attacks.SANDBOX_ATTACKS):
        started = time.monotonic()
        outcome = attacks.run_attack(attack, workdir / f"attack-{index}", kind)
        rows.append(f"| {attack.name} | {'yes' if outcome.held else '**no**'} | {outcome.data_lost} | "
                    f"{outcome.secrets_leaked} | {time.monotonic() - started:.1f} | {outcome.detail} |")
        print(rows[-1], flush=True)
    return rows


def isolation_cost(workdir: Path, runs: int = 5) -> str:
    """Median seconds of a trivial attempt with the default isolation and with none."""
    from statistics import median

    from mlzero_jupyter.execution import execute
    from mlzero_jupyter.execution.sandbox import isolation

    attempt = workdir / "cost" / "attempt_1"
    attempt.mkdir(parents=True)
    (attempt / "solution.py").write_text("print('hi')\n")
    seconds = {}
    for kind in (isolation().kind, "none"):
        seconds[kind] = median(execute(attempt / "solution.py", cwd=attempt, timeout=30, readable=[],
                                       isolation=kind).duration_s for _ in range(runs))
    kind = isolation().kind
    return (f"Cost of isolation ({kind}) per attempt: {seconds[kind] - seconds['none']:.3f} s (median of {runs} "
            f"trivial attempts: {seconds[kind]:.3f} s with it, {seconds['none']:.3f} s without).")


def bad_input_rows(workdir: Path) -> tuple[list[str], list[str]]:
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for index, case in enumerate(bad.BAD_INPUTS):
        verdict = bad.check(case, workdir / f"bad-{index}")
        total[case.front] += 1
        passed[case.front] += verdict.ok
        if not verdict.ok:
            failures.append(f"- {case.front}: {case.what}: {verdict.text.splitlines()[0] if verdict.text else ''}")
    rows = [f"| {front} | {total[front]} | {passed[front]} |" for front in ("cli", "magic", "api")]
    rows.append(f"| **all** | **{sum(total.values())}** | **{sum(passed.values())}** |")
    return rows, failures


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlzero-reliability-") as temporary:
        workdir = Path(temporary)
        faults = fault_rows(workdir)
        hostile = attack_rows(workdir)
        cost = isolation_cost(workdir)
        inputs, failures = bad_input_rows(workdir)
    survived = sum("| yes |" in row for row in faults)
    held = sum("| yes |" in row for row in hostile)
    text = "\n".join([
        INTRO,
        "## Faults injected",
        "",
        "| fault injected | survived | data lost | secrets leaked | seconds | what happened |",
        "| --- | --- | --- | --- | --- | --- |",
        *faults,
        "",
        f"{survived} of {len(faults)} faults survived.",
        "",
        "## Attacks",
        "",
        "A hostile attempt, as a prompt-injected LLM or a poisoned data folder would write it (issue 17): the",
        "policy's one-liners must be flagged (ask or block, with no sandbox to contain them); the scripts run",
        "through the real executor with the default isolation, credentials planted, a fake home with a key.",
        "",
        "| attack | stopped | data lost | secrets leaked | seconds | what happened |",
        "| --- | --- | --- | --- | --- | --- |",
        *hostile,
        "",
        f"{held} of {len(hostile)} attacks stopped; {len(faults) + len(hostile)} faults and attacks in all. {cost}",
        "",
        "## Malformed inputs",
        "",
        "Each must end in one line that says what to do, without a traceback (exit code 2 for the CLI).",
        "",
        "| front end | malformed inputs | one clear line |",
        "| --- | --- | --- |",
        *inputs,
        "",
        *(["Not handled:", "", *failures, ""] if failures else []),
        "## Known limit",
        "",
        "When the process running the agent is killed outright (SIGKILL, an out-of-memory kill of the kernel), an",
        "attempt under bubblewrap or namespaces dies with it (the sandbox dies with its parent). Without isolation",
        "it keeps running with no one to watch its time limit: resuming the run (`mlzero run --resume RUN_DIR`,",
        "`%mlzero resume`) first kills every process that carries the run's `MLZERO_ATTEMPT_DIR`, then continues",
        "from disk; a run that is never resumed leaves its orphan running.",
        "",
        f"Measured in {time.monotonic() - started:.0f} s on {os.cpu_count()} CPUs, {sys.platform}, "
        f"Python {sys.version.split()[0]}.",
        "",
    ])
    DOC.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    main()
