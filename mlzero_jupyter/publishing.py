"""Publishing: from the valid attempts of a run to the predictions and the code handed to the user.

With a referee, in this order:
1. an ensemble of attempts, when greedy selection on the held-out rows beats the best single attempt (and its
   members can run again on every labelled row, or the best attempt cannot either);
2. else the best attempt's script run again on the user's own data (every labelled row, the real test rows), when
   the time left allows, that run is valid and its own score is not clearly worse than the attempt's;
3. else the best attempt's predictions of the real test rows as they are, the result saying the model did not
   learn from the held-out rows.
Only the real test rows are published. Without a referee the best attempt's files are published as they are.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlzero_jupyter.atomic import copy_file_atomic, write_text_atomic
from mlzero_jupyter.coding.contract import CODE_FILE, METRICS_FILE, TRAINING_SECONDS_SETTING
from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.perception.spec import TaskSpec
from mlzero_jupyter.runs import RunFolder

if TYPE_CHECKING:  # the referee needs pandas: imported when a run publishes, not with the agent
    from mlzero_jupyter.referee import Referee
    from mlzero_jupyter.referee.ensemble import Ensemble

#: A final run is tried only with at least this many seconds left.
MIN_FINAL_SECONDS = 10.0
#: The time kept for the final run of the best attempt on every labelled row: its own time, a share more and a few
#: seconds (the same script on a fifth more rows).
REFIT_SHARE, REFIT_SECONDS = 0.1, 5.0
#: Of the seconds the search left beyond the final run's own time, this share goes into longer training; the rest
#: is slack for AutoGluon overrunning its limit and predicting with more models.
SPARE_SHARE = 0.6
#: A final run whose own score (in its metrics.json) is worse than the attempt's own score by more than this share is
#: not published: the same script on more rows should not do clearly worse, and when it does (a fit cut short by a
#: loaded machine) the attempt's predictions, which the referee judged, are the safer answer.
FINAL_RUN_TOLERANCE = 0.1
ENSEMBLE_FILE = "ensemble.json"


@dataclass
class PublishingContext:
    task: TaskSpec  # the user's task
    referee: Referee | None
    folder: RunFolder
    best: AttemptRecord
    valid: list[AttemptRecord]
    held_out: dict[int, Any]  # attempt -> held-out predictions (pandas)
    deadline: float  # time.monotonic() at which the run's budget ends
    executor: Callable[..., Any]
    stop: threading.Event
    memory_limit_mb: int | None = None
    search: bool = True  # ensembles and a longer final run are part of the search
    final_runs_s: float = 0.0  # time inside the code of every run on the user's data so far, published or not


@dataclass
class Publication:
    """What was published and how; ``fill`` puts it into the run's result."""

    how: str
    predictions: str | None = None
    solution: str | None = None
    model_path: str | None = None
    ensemble: dict[str, float] = field(default_factory=dict)
    ensemble_score: float | None = None
    ensemble_error: float | None = None  # its bootstrap standard error over the held-out rows
    execution_s: float = 0.0  # time inside the code of the runs on the user's data, published or not

    def fill(self, result: Any) -> None:
        result.predictions_path, result.solution_path, result.published = self.predictions, self.solution, self.how
        result.execution_s += self.execution_s
        if self.model_path:
            result.model_path = self.model_path
        if self.ensemble:
            result.ensemble = dict(self.ensemble)
            result.validation_score, result.validation_score_error = self.ensemble_score, self.ensemble_error
            members = ", ".join(f"attempt {n} x {w:.2f}" for n, w in self.ensemble.items())
            result.validation = f"{result.validation}; ensemble of {members}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def publish(context: PublishingContext) -> Publication:
    publication = _publish(context)
    publication.execution_s = context.final_runs_s
    return publication


def _publish(context: PublishingContext) -> Publication:
    if context.referee is None:
        return _as_is(context)
    ensemble = _select_ensemble(context) if context.search else None
    passed_over = _no_time_for_members(context, ensemble) if ensemble is not None else ""
    if ensemble is not None and not passed_over:
        publication = _ensemble(context, ensemble)
        if publication is not None:
            return publication
    final, why = _final_run(context)
    if final is not None:
        final.how += f"; {passed_over}" if passed_over else ""
        return final
    if passed_over:  # the ensemble's members as they ran beat the best attempt as it ran
        publication = _ensemble(context, ensemble)
        if publication is not None:
            return publication
    return _real_rows(context, f"trained without the {context.referee.answers.rows:,} held-out "
                               f"{context.referee.unit}: {why}")


# -- without a referee --------------------------------------------------------------------------------------------
def _as_is(context: PublishingContext) -> Publication:
    folder, best = context.folder, context.best
    source = folder.attempt_dir(best.number, create=False)
    copy_file_atomic(source / CODE_FILE, folder.solution_path)
    predictions = folder.path / best.predictions
    target = folder.path / predictions.name
    if predictions.is_dir():  # segmentation masks: a folder of images
        _copy_folder(predictions, target)
    else:
        copy_file_atomic(predictions, target)
    return Publication(f"attempt {best.number} as it ran", str(target), str(folder.solution_path))


# -- the final run on the user's data -----------------------------------------------------------------------------
def retarget(code: str, referee: Referee, task: TaskSpec) -> str:
    """An attempt's code reading the user's data instead of the referee's copy (the layouts are the same)."""
    return code.replace(str(referee.root), str(Path(task.work_path)))


def onto_referee(code: str, referee: Referee, task: TaskSpec) -> str:
    """Code that names the user's data folder made to read the referee's copy (the run folder may live inside the
    data folder, so the copy's own path is kept out of the replacement)."""
    mark = "\0referee\0"
    kept = code.replace(str(referee.root), mark)
    return kept.replace(str(Path(task.work_path)), str(referee.root)).replace(mark, str(referee.root))


def refit_seconds(attempt: AttemptRecord) -> float:
    """What running an attempt's script again on every labelled row is expected to take: its time and a margin."""
    return attempt.execution_s * (1 + REFIT_SHARE) + REFIT_SECONDS


def spare_seconds(context: PublishingContext, expected_s: float) -> float:
    """Seconds of training a final run expected to take ``expected_s`` may add, from the time the search left (none
    in quick mode: a user who asked for the first valid result wants it soon)."""
    spare = context.deadline - time.monotonic() - expected_s - MIN_FINAL_SECONDS
    return SPARE_SHARE * spare if context.search and spare >= MIN_FINAL_SECONDS else 0.0


def longer_training(code: str, extra_s: float) -> tuple[str, float]:
    """The script with its declared seconds of training (``TIME_LIMIT = N``) raised by ``extra_s``, and the seconds
    added (0 when the script declares none, as an LLM's may not)."""
    pattern = re.compile(rf"^{TRAINING_SECONDS_SETTING} = (\d+)\b.*$", re.MULTILINE)
    found = pattern.search(code)
    if found is None or extra_s < 1:
        return code, 0.0
    before = int(found.group(1))
    after = before + int(extra_s)
    line = (f"{TRAINING_SECONDS_SETTING} = {after}  # seconds of training: the attempt's {before} s and {after - before}"
            " s the search left for this final run")
    return code[:found.start()] + line + code[found.end():], float(after - before)


def _final_run(context: PublishingContext) -> tuple[Publication | None, str]:
    """Run the best attempt's script on the user's data, training longer when the search left time; the
    publication, or None and why not."""
    best = context.best
    code = retarget((context.folder.attempt_dir(best.number, create=False) / CODE_FILE).read_text(),
                    context.referee, context.task)
    code, added = longer_training(code, spare_seconds(context, refit_seconds(best)))
    forecast = context.referee.answers.kind == "forecast"  # without this run, no forecast of the real horizon
    published, why = _on_users_data(context, code, best.execution_s + added, f"attempt {best.number}",
                                    overrun=forecast, own_score=None if forecast else best.reported_score)
    if published is None:
        return None, why
    longer = f", training {added:.0f} s longer" if added else ""
    published.how = (f"attempt {best.number}'s script run again on every labelled row ({why}{longer}); the score is "
                     "the one it had on the held-out rows before")
    return published, ""


def _on_users_data(context: PublishingContext, code: str, expected_s: float, what: str,
                   overrun: bool = False, own_score: float | None = None) -> tuple[Publication | None, str]:
    """Run ``code`` on the user's data in a new ``final`` folder and publish what it predicts: the publication
    (its ``how`` still to be told) and the run's duration, or None and why not. ``overrun``: run even when the
    budget is spent. ``own_score``: what the code said of itself before; a run saying clearly worse is not published."""
    from mlzero_jupyter.execution import validate

    folder = context.folder
    left = context.deadline - time.monotonic()
    needed = max(MIN_FINAL_SECONDS, expected_s)
    if context.stop.is_set():
        return None, "the run was stopped before it could refit on every labelled row"
    if overrun:
        left = max(left, needed * 1.25 + MIN_FINAL_SECONDS)
    elif left < needed:
        return None, f"{left:.0f} s were left, {what} took {expected_s:.0f} s: no time to refit"
    final = folder.final_dir()
    write_text_atomic(final / CODE_FILE, code)
    outcome = context.executor(final / CODE_FILE, cwd=final, timeout=left, on_output=None, stop=context.stop,
                               memory_limit_mb=context.memory_limit_mb, readable=[Path(context.task.work_path)])
    context.final_runs_s += outcome.duration_s
    verdict = validate(context.task, final, outcome) if outcome.ok else None
    if verdict is None or not verdict.ok:
        problems = verdict.problems if verdict else [outcome.failure() or "", outcome.essential_errors()]
        return None, "the refit on every labelled row failed: " + " ".join(problems)[:300]
    worse = _clearly_worse(verdict.score, own_score, context.task.higher_is_better)
    if worse:
        return None, f"the refit on every labelled row {worse}"
    predictions = Path(verdict.predictions_path)
    target = folder.path / predictions.name
    if predictions.is_dir():
        _copy_folder(predictions, target)
    else:
        copy_file_atomic(predictions, target)
    copy_file_atomic(final / CODE_FILE, folder.solution_path)
    metrics = _read_json(final / METRICS_FILE)
    model = str((final / metrics["model_path"]).resolve()) if metrics.get("model_path") else None
    published = Publication("", str(target), str(folder.solution_path), model)
    return published, f"{outcome.duration_s:.0f} s"


def _clearly_worse(score: float | None, before: float | None, higher_is_better: bool) -> str:
    """Why a final run's own ``score`` is clearly worse than the attempt's own score ``before``, or "" (also when
    either is unknown: an LLM's script may write none)."""
    if score is None or before is None:
        return ""
    loss = (before - score) if higher_is_better else (score - before)
    if loss <= FINAL_RUN_TOLERANCE * max(abs(score), abs(before), 1e-9):
        return ""
    return (f"scored {score:.5g} for itself where the attempt had scored {before:.5g} (more than "
            f"{FINAL_RUN_TOLERANCE:.0%} worse)")


# -- predictions of the real test rows ----------------------------------------------------------------------------
def _real_rows(context: PublishingContext, how: str) -> Publication:
    """The best attempt's predictions of the real test rows, and its code retargeted to the user's data."""
    from mlzero_jupyter.referee.judge import keys_of, read_predictions

    folder, best, answers = context.folder, context.best, context.referee.answers
    if answers.kind == "forecast":  # the attempts forecast the held-out window, not the real future
        return Publication("no forecast of the real horizon: " + how)
    code = (folder.attempt_dir(best.number, create=False) / CODE_FILE).read_text()
    write_text_atomic(folder.solution_path, retarget(code, context.referee, context.task))
    source = folder.path / best.predictions
    target = folder.path / source.name
    if source.is_dir():  # masks: those of the real test images only
        _copy_folder(source, target)
        for mask in target.iterdir():
            if mask.stem in answers.keys:
                mask.unlink()
    else:
        frame = read_predictions(source)
        if answers.real_keys:
            frame = frame[keys_of(answers, frame).isin(answers.real_keys)]
        write_predictions(frame, target)
    return Publication(how, str(target), str(folder.solution_path))


def write_predictions(frame: Any, path: Path) -> None:
    """Save a predictions table in the file type its name says, atomically."""
    staging = path.with_name(f".{path.name}.partial")
    writers = {".parquet": lambda p: frame.to_parquet(p, index=False),
               ".feather": lambda p: frame.reset_index(drop=True).to_feather(p),
               ".xlsx": lambda p: frame.to_excel(p, index=False),
               ".json": lambda p: frame.to_json(p, orient="records"),
               ".jsonl": lambda p: frame.to_json(p, orient="records", lines=True),
               ".tsv": lambda p: frame.to_csv(p, sep="\t", index=False)}
    writers.get(path.suffix.lower(), lambda p: frame.to_csv(p, index=False))(staging)
    staging.replace(path)


# -- ensembles ----------------------------------------------------------------------------------------------------
def _held_out(context: PublishingContext) -> tuple[dict[int, Any], bool]:
    """The valid attempts' held-out predictions, and whether they are labels (voted) rather than numbers."""
    candidates = {a.number: context.held_out[a.number] for a in context.valid if a.number in context.held_out}
    return candidates, any(not _numeric(frame) for frame in candidates.values())


def _select_ensemble(context: PublishingContext) -> Ensemble | None:
    """Greedy ensemble selection over the valid attempts' held-out predictions; None when no ensemble wins."""
    from mlzero_jupyter.referee.ensemble import select
    from mlzero_jupyter.referee.judge import score_held_out

    answers, metric = context.referee.answers, context.task.metric.value
    candidates, vote = _held_out(context)
    return select(candidates, lambda frame: score_held_out(answers, frame, metric), context.task.higher_is_better,
                  vote)


def _members_seconds(context: PublishingContext, ensemble: Ensemble) -> float:
    return sum(a.execution_s for a in context.valid if a.number in ensemble.weights)


def _no_time_for_members(context: PublishingContext, ensemble: Ensemble) -> str:
    """Why a winning ensemble is passed over, or "": its members cannot run again on every labelled row in the time
    left, but the best attempt can (the ensemble's small gain was chosen on the held-out rows themselves; a fifth
    more training rows usually gain more). Never for forecasts: their members must run again."""
    expected, left = _members_seconds(context, ensemble), context.deadline - time.monotonic()
    if (context.referee.answers.kind == "forecast" or left >= expected
            or left < max(MIN_FINAL_SECONDS, context.best.execution_s)):
        return ""
    return (f"an ensemble of attempts {', '.join(map(str, sorted(ensemble.weights)))} scored {ensemble.score:.5g} on "
            f"the held-out rows, but its members' {expected:.0f} s to run again did not fit in the {left:.0f} s left")


def _ensemble(context: PublishingContext, ensemble: Ensemble) -> Publication | None:
    """Publish a winning ensemble: its members run again on the user's data, or else their predictions as they ran
    (None for a forecast whose members could not run again: no forecast of the real horizon)."""
    from mlzero_jupyter.referee.ensemble import combine
    from mlzero_jupyter.referee.judge import held_out_error, keys_of, read_predictions, value_columns

    answers, metric = context.referee.answers, context.task.metric.value
    forecast = answers.kind == "forecast"  # the members must run again to forecast the real horizon
    candidates, vote = _held_out(context)
    members = []
    for number, weight in ensemble.weights.items():
        record = next(a for a in context.valid if a.number == number)
        frame = read_predictions(context.folder.path / record.predictions)
        keys = keys_of(answers, frame)
        frame = frame[keys.isin(answers.real_keys)] if answers.real_keys else frame
        members.append((weight, frame))
    weights = {str(n): round(w, 4) for n, w in sorted(ensemble.weights.items())}
    write_text_atomic(context.folder.path / ENSEMBLE_FILE, json.dumps({"weights": weights, "metric": metric,
                                                                        "score": ensemble.score}, indent=2))
    template = members[0][1].copy()
    columns = value_columns(answers, template)
    target = context.folder.path / (context.folder.path / context.best.predictions).name
    chosen = (f"greedy ensemble of attempts {', '.join(weights)} on the held-out rows ({metric} "
              f"{ensemble.score:.5g}, best single {context.best.score:.5g})")
    metrics = {"metric": metric, "validation_score": ensemble.score, "higher_is_better": context.task.higher_is_better,
               "validation": f"greedy ensemble selection on {context.referee.description(metric)}"}
    switches = bool(answers.label_columns) and not answers.delimiter  # 0/1 label columns stay 0/1
    code = ensemble_script(context, weights, columns, vote, target.name, metrics, switches)
    published, why = _on_users_data(context, code, _members_seconds(context, ensemble), "its members",
                                    overrun=forecast)
    if published is None and forecast:  # no forecast of the real horizon: the best attempt's final run instead
        (context.folder.path / ENSEMBLE_FILE).unlink(missing_ok=True)
        return None
    if published is None:  # the members as they ran, without the held-out rows
        combined = combine([(w, f[columns].reset_index(drop=True)) for w, f in members], vote).to_numpy()
        template[columns] = (combined >= 0.5).astype(int) if switches else combined
        write_predictions(template, target)
        write_text_atomic(context.folder.solution_path, code)
        published = Publication("", str(target), str(context.folder.solution_path))
        why = f"its members trained without the held-out rows: {why}"
    else:
        why = f"its members run again on every labelled row ({why})"
    published.how, published.ensemble, published.ensemble_score = f"{chosen}; {why}", weights, ensemble.score
    held = combine([(weight, candidates[number]) for number, weight in ensemble.weights.items()], vote)
    published.ensemble_error = held_out_error(answers, held, metric)
    return published


def _numeric(frame: Any) -> bool:
    import pandas as pd

    return all(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)


def ensemble_script(context: PublishingContext, weights: dict[str, float], columns: list[str], vote: bool,
                    name: str, metrics: dict[str, Any], switches: bool) -> str:
    """solution.py of an ensemble: each member's script (embedded, reading the user's data) runs in a folder of its
    own, then their predictions are combined with the weights. It needs nothing but itself, so it exports."""
    folder = context.folder
    scripts = {f"member_{n}": retarget((folder.attempt_dir(int(n), create=False) / CODE_FILE).read_text(),
                                       context.referee, context.task) for n in weights}
    return ENSEMBLE_TEMPLATE.format(weights=json.dumps({f"member_{n}": w for n, w in weights.items()}),
                                    scripts=json.dumps(scripts, indent=4), columns=json.dumps(columns), vote=vote,
                                    switches=switches, name=json.dumps(name), metrics=repr(metrics))


ENSEMBLE_TEMPLATE = '''"""Ensemble of the run's attempts, chosen by greedy ensemble selection on the referee's held-out rows: each
member's script runs in a folder of its own on the data, then their predictions are combined with the weights."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

WEIGHTS = {weights}  # member -> weight
PREDICTION_COLUMNS = {columns}
VOTE = {vote}  # labels: a weighted vote; numbers (probabilities, values): a weighted mean
SWITCHES = {switches}  # 0/1 label columns: a label is on when its weighted mean reaches 0.5
PREDICTIONS = {name}
METRICS = {metrics}  # how the ensemble scored when it was chosen
SCRIPTS = {scripts}

# -- run the members ------------------------------------------------------------------------------------------------
frames = {{}}
for member, code in SCRIPTS.items():
    folder = Path(member)
    folder.mkdir(exist_ok=True)
    (folder / "solution.py").write_text(code)
    subprocess.run([sys.executable, "solution.py"], cwd=folder, check=True)
    path = folder / PREDICTIONS
    frames[member] = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)

# -- combine and save -----------------------------------------------------------------------------------------------
submission = next(iter(frames.values())).copy()
if VOTE:
    tallies = [Counter() for _ in range(len(submission))]
    for member, frame in frames.items():
        for tally, label in zip(tallies, frame[PREDICTION_COLUMNS[0]]):
            tally[label] += WEIGHTS[member]
    submission[PREDICTION_COLUMNS[0]] = [tally.most_common(1)[0][0] for tally in tallies]
else:
    submission[PREDICTION_COLUMNS] = sum(WEIGHTS[m] * f[PREDICTION_COLUMNS].to_numpy(float) for m, f in frames.items())
    if SWITCHES:
        submission[PREDICTION_COLUMNS] = (submission[PREDICTION_COLUMNS] >= 0.5).astype(int)
if PREDICTIONS.endswith(".parquet"):
    submission.to_parquet(PREDICTIONS, index=False)
else:
    submission.to_csv(PREDICTIONS, index=False)
Path("metrics.json").write_text(json.dumps(METRICS, indent=2))
'''


def _copy_folder(source: Path, target: Path) -> None:
    """Copy a folder beside ``target`` first, then move it into place: never a half-copied folder there."""
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
