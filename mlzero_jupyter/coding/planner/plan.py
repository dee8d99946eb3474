"""The plan of one attempt: every knob the script builders read, and the notes explaining why a knob moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlzero_jupyter.coding.planner.backbones import Backbone

#: Where a note is printed in the script: above the settings, or at the top of one of its sections.
SECTIONS = ("settings", "load", "prepare", "train", "predict")


@dataclass
class Note:
    kind: str  # Repair, Guidance, Improve
    section: str  # one of SECTIONS
    text: str  # the comment, one or two sentences
    change: str  # a few words for the attempt's summary


@dataclass
class Plan:
    """What the script of one attempt will do; rules edit it, builders render it."""

    family: str  # tabular, forecasting, image, text, segmentation
    tool: str  # autogluon.tabular, autogluon.timeseries, sklearn, autogluon.multimodal
    presets: str = "medium_quality"
    time_share: float = 0.8  # share of the attempt's time limit given to training
    hyperparameters: dict[str, Any] | None = None  # None: the presets' own model families
    excluded_models: list[str] = field(default_factory=list)
    num_bag_folds: int = 0
    subsample_rows: int | None = None  # train on at most this many rows
    coerce_numeric: bool = False  # numeric columns through pd.to_numeric(errors="coerce")
    encoding_fallback: str | None = None  # read text files with this encoding when the declared one fails
    skip_bad_lines: bool = False
    drop_columns: list[str] = field(default_factory=list)
    feature_importance: bool = True
    complete_predictions: bool = False  # fill rows the model could not score, keep every test row
    use_multimodal: bool = False  # MultiModalPredictor on a pretrained backbone instead of the fallback
    backbone: Backbone | None = None  # the pretrained model path considered, and why it was (not) taken
    seed_offset: int = 0  # added to the run's seed: the same candidate on other folds
    probabilities: bool = False  # the positive class's probability instead of a label (binary, no sample)
    chain_labels: bool = False  # multi-label: each label's answer a feature of the labels after it
    character_ngrams: bool = False  # text written without spaces: characters become the tokens
    seasonal_models: bool = False  # forecasting: seasonal models at the periods the frequency implies
    val_windows: int = 1  # forecasting: backtest windows for validation
    ranker: str = "bm25"  # retrieval: bm25, embeddings, or fused (both, mixed with a weight tuned on judged queries)
    notes: list[Note] = field(default_factory=list)

    def note(self, kind: str, section: str, text: str, change: str) -> None:
        """Record why the plan changed; the same change is recorded once."""
        if section not in SECTIONS:
            raise ValueError(f"unknown section {section!r}")
        if all(n.change != change for n in self.notes):
            self.notes.append(Note(kind, section, text, change))

    def comments(self, section: str) -> str:
        """The ``# Repair: ...`` style comment lines for one section, each ending with a newline."""
        lines = []
        for n in self.notes:
            if n.section == section:
                lines.extend(_wrap(f"# {n.kind}: {n.text}"))
        return "".join(line + "\n" for line in lines)

    def exclude(self, models: list[str]) -> None:
        self.excluded_models.extend(m for m in models if m not in self.excluded_models)
        if self.hyperparameters:
            self.hyperparameters = {k: v for k, v in self.hyperparameters.items() if k not in models} or None

    @property
    def summary_changes(self) -> list[str]:
        return [f"{n.kind.lower()}: {n.change}" for n in self.notes]


def _wrap(text: str, width: int = 110) -> list[str]:
    """Break a comment into lines of at most ``width`` characters, continuing with ``#   ``."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "#   " + word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines
