"""The user's sentence as evidence: which columns and values it names, what kind of answer it asks for."""

from __future__ import annotations

import re

from mlzero_jupyter.perception.phrases import GENERIC, mention_scores, singular
from mlzero_jupyter.perception.profile import name_words

#: An amount is wanted: the numeric column is meant.
AMOUNT_WORDS = r"\b(how much|how many|how long|how far|how old|how big|how high|amount|estimate\w*|value of|" \
               r"regression|number of|quantity)\b"
#: A class is wanted: the categorical column is meant.
CLASS_WORDS = r"\b(which|whether|classify|classif\w+|class|category|categories|categori[sz]e|what kind|what type|" \
              r"what sort|kind of|type of)\b"
#: Likelihoods are wanted: probabilities out, a ranking metric.
PROBABILITY_WORDS = r"\b(how likely|likelihoods?|probabilit(y|ies)|chances? (of|that)|risk scores?|propensity|" \
                    r"odds (of|that))\b"


class Description:
    """Word-level look-ups in a task description (empty when there is none)."""

    def __init__(self, text: str | None) -> None:
        self.text = (text or "").strip()
        self.lower = self.text.lower()
        self.words = [w for w in re.split(r"[^a-z0-9]+", self.lower) if w]
        self.tokens = [singular(w) for w in self.words]
        self.stems = {t for t in self.tokens if t not in GENERIC}

    def __bool__(self) -> bool:
        return bool(self.text)

    def says(self, pattern: str) -> bool:
        """Whether the description matches a regular expression (case-insensitive)."""
        return bool(re.search(pattern, self.lower))

    def mention_scores(self, columns: list[str]) -> dict[str, float]:
        """Columns the text names, scored (see :func:`~mlzero_jupyter.perception.phrases.mention_scores`)."""
        return mention_scores(columns, self.tokens)

    @property
    def asks_amount(self) -> bool:
        return self.says(AMOUNT_WORDS)

    @property
    def asks_class(self) -> bool:
        return self.says(CLASS_WORDS)

    @property
    def asks_probability(self) -> bool:
        return self.says(PROBABILITY_WORDS)

    def mentions_value(self, value: str) -> bool:
        """Whether a category value (e.g. 'malignant') appears as a word of the description."""
        words = name_words(value)
        return bool(words) and all(len(w) >= 3 for w in words) and all(singular(w) in self.stems for w in words)
