"""Rule-based repair: the previous attempts' error lines (and the validator's messages) change the plan.

Rules look at every failure of the run so far, so repairs accumulate (a second missing package adds to the
first). They read the attempts' records (``CodingContext.attempts``), never the history text made for prompts.
Each repair leaves a ``# Repair: ...`` comment in the script and a few words in the attempt's summary.
"""

from __future__ import annotations

import re

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner.models import (
    FORECASTING_HUB_MODELS,
    LIGHT_FORECASTING,
    LIGHT_TABULAR,
    PACKAGE_MODELS,
    TABULAR_HUB_MODELS,
)
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.memory.episodic import RUNNING, AttemptRecord
from mlzero_jupyter.memory.episodic import TIMEOUT as TIMEOUT_STATUS

MISSING_MODULE = re.compile(r"No module named '([\w.]+)'|`?import ([\w.]+)`? failed|(\w+) is not installed", re.I)
HUB = re.compile(r"huggingface|hf_hub|HF_HUB_OFFLINE|LocalEntryNotFound|OfflineModeIsEnabled|Max retries exceeded|"
                 r"ConnectionError|Connection (refused|reset|aborted)|couldn't connect|offline mode|"
                 r"Name or service not known|Temporary failure in name resolution", re.I)
MEMORY = re.compile(r"MemoryError|out of memory|memory limit|Unable to allocate|Cannot allocate memory|bad_alloc|"
                    r"\bKilled\b(?! at the time limit)", re.I)
TIMEOUT = re.compile(r"killed at the time limit|TimeoutError|timed out", re.I)
CONVERSION = re.compile(r"could not convert|invalid literal for|Unable to parse string|cannot convert", re.I)
ENCODING = re.compile(r"UnicodeDecodeError|codec can't decode", re.I)
PARSER = re.compile(r"ParserError|Error tokenizing data|Expected \d+ fields", re.I)
INCOMPLETE = re.compile(r"predictions have \d+ rows|missing (values|predictions|ids?)|ids? (differ|do not match|missing)|"
                        r"unknown labels?|not in the training labels?|columns differ", re.I)


#: Every error a rule below understands.
UNDERSTOOD = (MISSING_MODULE, HUB, MEMORY, TIMEOUT, CONVERSION, ENCODING, PARSER, INCOMPLETE)


def understands(error: str) -> bool:
    """Whether some rule knows what to change after ``error`` (else the planner moves to its next candidate)."""
    return any(pattern.search(error) for pattern in UNDERSTOOD)


def apply(plan: Plan, context: CodingContext, candidate: str = "") -> None:
    """Apply every rule that the run's failures call for (time limits: those of ``candidate`` only)."""
    errors = failures(context)
    text = "\n".join(errors)
    if not text.strip():
        return
    _missing_packages(plan, text)
    _hub(plan, text)
    _memory(plan, text, errors)
    _timeout(plan, [a for a in context.attempts if a.candidate == candidate], context.last_error)
    _parsing(plan, text)
    _incomplete(plan, text)


def failures(context: CodingContext) -> list[str]:
    """The errors of the run's finished attempts that did not succeed, oldest first, then the previous attempt's
    error when the records do not hold it (a caller that gives the failure but not the records)."""
    errors = [a.error for a in context.attempts if a.error and not a.succeeded and a.status != RUNNING]
    if context.last_error and context.last_error not in errors:
        errors.append(context.last_error)
    return errors


def _first_line(pattern: re.Pattern[str], text: str) -> str:
    """The first line of ``text`` that matches ``pattern``, trimmed, to quote in the comment."""
    line = next(line for line in text.splitlines() if pattern.search(line)).strip()
    return line if len(line) <= 120 else line[:117] + "..."


def _missing_packages(plan: Plan, text: str) -> None:
    for match in MISSING_MODULE.finditer(text):
        package = next(group for group in match.groups() if group).split(".")[0].lower()
        if (package == "autogluon" and "multimodal" in match.group(0)) or package in BACKBONE_PACKAGES:
            _no_multimodal(plan, f"{match.group(0)!r}: a package MultiModalPredictor needs is not installed")
            continue
        tabular, forecasting = PACKAGE_MODELS.get(package, ([], []))
        models = forecasting if plan.family == "forecasting" else tabular
        if models:
            plan.exclude(models)
            plan.note("Repair", "settings", f"{match.group(0)!r}: {package} is not installed, so the models that "
                      f"need it ({', '.join(models)}) are excluded.", f"{package} missing, {', '.join(models)} excluded")


#: Packages MultiModalPredictor's backbones need.
BACKBONE_PACKAGES = {"timm", "transformers", "torchvision", "open_clip"}
#: What each family does instead of MultiModalPredictor.
FALLBACK_NOTES = {"image": ("images become pixel features for TabularPredictor", "pixel features instead"),
                  "text": ("text becomes n-gram features for TabularPredictor", "text n-grams instead"),
                  "segmentation": ("a per-pixel classifier is trained from scratch", "a per-pixel classifier instead")}


def _no_multimodal(plan: Plan, reason: str) -> None:
    if plan.use_multimodal and plan.family in FALLBACK_NOTES:
        plan.use_multimodal = False
        plan.tool = "autogluon.tabular" if plan.family != "segmentation" else "sklearn"
        instead, change = FALLBACK_NOTES[plan.family]
        plan.note("Repair", "settings", f"{reason}; {instead}.", f"MultiModalPredictor unavailable, {change}")


def _hub(plan: Plan, text: str) -> None:
    if not HUB.search(text):
        return
    line = _first_line(HUB, text)
    _no_multimodal(plan, f"the model hub is unreachable ({line!r})")
    models = FORECASTING_HUB_MODELS if plan.family == "forecasting" else TABULAR_HUB_MODELS
    plan.exclude(models)
    plan.note("Repair", "settings", f"the model hub is unreachable ({line!r}): models that download pretrained "
              "weights are excluded.", "model hub unreachable, pretrained models excluded")


def _memory(plan: Plan, text: str, errors: list[str]) -> None:
    """Fewer rows and lighter models after running out of memory; fewer still after two such failures."""
    if not MEMORY.search(text):
        return
    hits = sum(1 for error in errors if MEMORY.search(error))
    plan.subsample_rows = 50_000 if hits == 1 else 10_000
    plan.feature_importance = False
    plan.presets = "medium_quality"
    plan.num_bag_folds = 0
    plan.hyperparameters = dict(LIGHT_FORECASTING if plan.family == "forecasting" else LIGHT_TABULAR)
    plan.note("Repair", "train", f"the previous attempt ran out of memory ({_first_line(MEMORY, text)!r}): at most "
              f"{plan.subsample_rows:,} training rows and a light model set.",
              f"memory exhausted, at most {plan.subsample_rows:,} rows and light models")


def _timeout(plan: Plan, attempts: list[AttemptRecord], last_error: str | None) -> None:
    """Less training time after the candidate's own time-outs (or the previous attempt's, when it is the first)."""
    level = sum(1 for a in attempts if a.status == TIMEOUT_STATUS or TIMEOUT.search(a.error or ""))
    if not level and last_error and TIMEOUT.search(last_error):
        level = 1
    if not level:
        return
    plan.time_share = 0.6 if level == 1 else 0.45
    plan.presets = "medium_quality"
    plan.num_bag_folds = 0
    plan.feature_importance = False
    if level > 1:
        plan.hyperparameters = dict(LIGHT_FORECASTING if plan.family == "forecasting" else LIGHT_TABULAR)
    plan.note("Repair", "settings", f"{level} attempt(s) hit the time limit: presets 'medium_quality', "
              f"{plan.time_share:.0%} of the time for training" + (", a light model set." if level > 1 else "."),
              f"time limit hit, {plan.time_share:.0%} of the time for training")


def _parsing(plan: Plan, text: str) -> None:
    if CONVERSION.search(text):
        plan.coerce_numeric = True
        plan.note("Repair", "prepare", f"{_first_line(CONVERSION, text)!r}: numeric columns are converted with "
                  "pd.to_numeric(errors='coerce'); unreadable values become missing.", "numeric columns coerced")
    if ENCODING.search(text):
        plan.encoding_fallback = "latin-1"
        plan.note("Repair", "load", f"{_first_line(ENCODING, text)!r}: text files are read as latin-1, replacing "
                  "undecodable bytes.", "files read as latin-1")
    if PARSER.search(text):
        plan.skip_bad_lines = True
        plan.note("Repair", "load", f"{_first_line(PARSER, text)!r}: malformed lines are skipped.",
                  "malformed lines skipped")


def _incomplete(plan: Plan, text: str) -> None:
    if INCOMPLETE.search(text):
        plan.complete_predictions = True
        plan.note("Repair", "predict", f"the validator said {_first_line(INCOMPLETE, text)!r}: the predictions "
                  "follow the sample submission (or the test set) row by row and column by column, and rows without "
                  "a prediction get a fallback value.", "every test row gets a prediction")
