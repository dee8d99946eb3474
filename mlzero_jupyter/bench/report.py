"""The benchmark report: a summary, ``report.json``, ``report.md`` and ``report.png`` in one folder."""

from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Any

from mlzero_jupyter.atomic import write_json_atomic, write_text_atomic
from mlzero_jupyter.bench.runner import TaskResult

#: The targets of the offline planner on the development suite.
TARGETS = {"valid_rate": 1.0, "median_ratio": 1.02, "worst_ratio": 0.97, "overhead_share": 0.05}
REPORT_FILES = {"json": "report.json", "markdown": "report.md", "plot": "report.png"}


def summarize(results: list[TaskResult]) -> dict[str, Any]:
    """Valid rates, median ratio and the agent's overhead share of its wall time, over all results."""
    ratios = [r.ratio for r in results if r.ratio is not None]
    agent_wall = sum(r.agent.total_s for r in results)
    baselines = [r.baseline for r in results if r.baseline is not None]
    return {
        "tasks": len(results),
        "agent_valid": sum(r.agent.valid for r in results),
        "agent_valid_rate": sum(r.agent.valid for r in results) / len(results) if results else None,
        "baseline_valid": sum(b.valid for b in baselines) if baselines else None,
        "compared": len(ratios),
        "median_ratio": statistics.median(ratios) if ratios else None,
        "worst_ratio": min(ratios) if ratios else None,
        "largest_gap": max(results, key=lambda r: abs(gap(r) or 0.0)).task if any(gap(r) for r in results) else None,
        "budget_share": sum(r.agent.total_s for r in results) / sum(r.time_limit for r in results) if results else None,
        "agent_wall_s": agent_wall,
        "agent_execution_s": sum(r.agent.execution_s for r in results),
        "agent_overhead_s": sum(r.agent.overhead_s for r in results),
        "overhead_share": sum(r.agent.overhead_s for r in results) / agent_wall if agent_wall else None,
        "baseline_wall_s": sum(b.total_s for b in baselines) if baselines else None,
        "input_tokens": sum(r.agent.input_tokens for r in results),
        "output_tokens": sum(r.agent.output_tokens for r in results),
        "cost_usd": sum(r.agent.cost_usd for r in results),
    }


def targets_met(summary: dict[str, Any]) -> dict[str, bool | None]:
    """Each target: met, missed, or None when it could not be measured."""
    def at_least(value: float | None, target: float) -> bool | None:
        return None if value is None else value >= target

    share = summary["overhead_share"]
    return {
        "valid_rate": at_least(summary["agent_valid_rate"], TARGETS["valid_rate"]),
        "median_ratio": at_least(summary["median_ratio"], TARGETS["median_ratio"]),
        "worst_ratio": at_least(summary["worst_ratio"], TARGETS["worst_ratio"]),
        "overhead_share": None if share is None else share < TARGETS["overhead_share"],
    }


def gap(result: TaskResult) -> float | None:
    """The agent's held-out (referee) score minus its hidden test score: what the user was shown beyond the truth
    (for an error metric, a negative gap is the optimistic side)."""
    agent = result.agent
    if not agent.valid or agent.referee_score is None or agent.score is None:
        return None
    return agent.referee_score - agent.score


def _referee(result: TaskResult) -> str:
    """The referee's score with its standard error, as the user saw it."""
    error = result.agent.referee_error
    return _number(result.agent.referee_score) + ("" if error is None else f" ± {error:.2g}")


def _gap(result: TaskResult) -> str:
    """The gap, and how many of the referee's standard errors it is."""
    value, error = gap(result), result.agent.referee_error
    return _number(value, 3) + ("" if value is None or not error else f" ({value / error:+.1f} SE)")


def _number(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _side(outcome: Any) -> str:
    if outcome is None:
        return "-"
    return _number(outcome.score) if outcome.valid else outcome.status


def _table(results: list[TaskResult]) -> list[str]:
    lines = ["| task | type | metric | budget s | agent (hidden test) | agent (referee, held-out, ± standard error) | gap "
             "| baseline | ratio | attempts | budget used | agent wall s | in code s | overhead s | baseline wall s "
             "| tokens in/out |", "|" + " --- |" * 16]
    for r in results:
        tokens = f"{r.agent.input_tokens}/{r.agent.output_tokens}"
        baseline_wall = _number(r.baseline.total_s, 3) if r.baseline else "-"
        lines.append(f"| {r.task} | {r.problem_type} | {r.metric} {'↑' if r.higher_is_better else '↓'} "
                     f"| {r.time_limit:.0f} | {_side(r.agent)} | {_referee(r)} "
                     f"| {_gap(r)} | {_side(r.baseline)} | {_number(r.ratio, 3)} | {r.agent.attempts} "
                     f"| {r.agent.total_s / r.time_limit:.0%} | {r.agent.total_s:.1f} | {r.agent.execution_s:.1f} "
                     f"| {r.agent.overhead_s:.1f} | {baseline_wall} | {tokens} |")
    return lines


def _failures(results: list[TaskResult]) -> list[str]:
    lines = []
    for r in results:
        for side, outcome in (("agent", r.agent), ("baseline", r.baseline)):
            if outcome is not None and not outcome.valid:
                lines.append(f"- {r.task}, {side}: {outcome.status}: {outcome.message or 'no message'}")
    return lines


def markdown(results: list[TaskResult], summary: dict[str, Any], command: str) -> str:
    met = targets_met(summary)
    verdict = {True: "met", False: "MISSED", None: "not measured"}
    share = summary["overhead_share"]
    lines = [
        "# Benchmark: agent vs expert AutoGluon baseline", "", f"Command: `{command}`", "",
        "Ratio is direction-aware: agent/baseline for higher-is-better metrics, baseline/agent for lower-is-better "
        "ones, so above 1 means the agent did better; 0 when only the agent failed. An invalid submission is a "
        "failure, never a partial score.", "",
        "## Summary", "",
        f"- valid agent submissions: {summary['agent_valid']}/{summary['tasks']} "
        f"(target >= {TARGETS['valid_rate']:.0%}: {verdict[met['valid_rate']]})",
        f"- valid baseline submissions: {_number(summary['baseline_valid'])}/{summary['tasks']}",
        f"- median score ratio over {summary['compared']} compared tasks: {_number(summary['median_ratio'], 3)} "
        f"(target >= {TARGETS['median_ratio']:.2f}: {verdict[met['median_ratio']]})",
        f"- worst score ratio: {_number(summary['worst_ratio'], 3)} (target >= {TARGETS['worst_ratio']:.2f}: "
        f"{verdict[met['worst_ratio']]})",
        f"- largest gap between the referee's held-out score and the hidden test score: "
        f"{summary['largest_gap'] or '-'}",
        f"- share of the time budget the agent used: {_number(summary['budget_share'], 3)}",
        f"- agent overhead: {summary['agent_overhead_s']:.1f} s of {summary['agent_wall_s']:.1f} s wall "
        f"({'-' if share is None else f'{share:.1%}'}; target < {TARGETS['overhead_share']:.0%}: "
        f"{verdict[met['overhead_share']]})",
        f"- tokens: {summary['input_tokens']} in, {summary['output_tokens']} out; cost ${summary['cost_usd']:.4f}",
        "", "## Tasks", "", *_table(results), "",
    ]
    failures = _failures(results)
    if failures:
        lines += ["## Failures", "", *failures, ""]
    return "\n".join(lines)


def plot(results: list[TaskResult], path: Path) -> None:
    """Per-task score ratio bars (line at 1) and a stacked agent time breakdown next to the baseline's time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [r.task for r in results]
    x = np.arange(len(results))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.9 * len(results) + 2), 8), sharex=True)
    ratios = [r.ratio if r.ratio is not None else 0.0 for r in results]
    top.bar(x, ratios, color=["tab:green" if v >= 1 else "tab:orange" for v in ratios])
    top.axhline(1.0, color="black", linewidth=1, linestyle="--")
    for position, r in zip(x, results):
        label = "no baseline" if r.ratio is None else ("agent failed" if not r.agent.valid else f"{r.ratio:.2f}")
        top.annotate(label, (position, r.ratio or 0.0), ha="center", va="bottom", fontsize=8,
                     xytext=(0, 2), textcoords="offset points")
    top.set_ylabel("score ratio agent / baseline\n(direction-aware; 0 = failed or no baseline)")
    width = 0.4
    code = [r.agent.execution_s for r in results]
    bottom.bar(x - width / 2, code, width, label="agent: inside generated code", color="tab:blue")
    bottom.bar(x - width / 2, [r.agent.overhead_s for r in results], width, bottom=code,
               label="agent: overhead", color="tab:red")
    bottom.bar(x + width / 2, [r.baseline.total_s if r.baseline else 0.0 for r in results], width,
               label="expert baseline", color="tab:gray")
    bottom.set_ylabel("wall time (s)")
    bottom.set_xticks(x, names, rotation=35, ha="right")
    bottom.legend()
    figure.tight_layout()
    temporary = path.with_name(f".{path.name}.tmp.png")
    figure.savefig(temporary, dpi=110)
    plt.close(figure)
    os.replace(temporary, path)


def write_report(results: list[TaskResult], folder: Path, command: str,
                 settings: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write the JSON, Markdown and PNG report into ``folder``; returns their paths by kind."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
    summary = summarize(results)
    write_json_atomic(paths["json"], {"command": command, "settings": settings or {}, "summary": summary,
                                      "targets": targets_met(summary), "tasks": [r.to_dict() for r in results]})
    write_text_atomic(paths["markdown"], markdown(results, summary, command))
    plot(results, paths["plot"])
    return paths
