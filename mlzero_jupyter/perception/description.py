"""The user's sentence as evidence: which column names and values it mentions, and which task words it uses."""

from __future__ import annotations

import re

from mlzero_jupyter.perception.profile import name_words

GOAL_VERBS = r"(?:predict|predicting|forecast|forecasting|estimate|classify|determine|guess|infer|model|which|whether|what)"
_GENERIC = {"data", "value", "values", "file", "files", "column", "columns", "each", "number", "name", "with", "from",
            "that", "this", "will", "which", "what", "where", "score", "scored", "submission", "submissions", "predict",
            "test", "train", "using", "based", "given", "model", "the", "and", "for", "are", "is", "of", "use", "row",
            "rows", "table", "dataset", "target", "label", "labels"}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class Description:
    """Word-level look-ups in a task description (empty when there is none)."""

    def __init__(self, text: str | None) -> None:
        self.text = (text or "").strip()
        self.lower = self.text.lower()
        self.words = [w for w in re.split(r"[^a-z0-9]+", self.lower) if w]
        self.stems = {_stem(w) for w in self.words if w not in _GENERIC}

    def __bool__(self) -> bool:
        return bool(self.text)

    def says(self, pattern: str) -> bool:
        """Whether the description matches a regular expression (case-insensitive)."""
        return bool(re.search(pattern, self.lower))

    def mention_score(self, column: str) -> float:
        """4 for the column's full name, 2 for a distinctive word of it, +2 when it follows a goal verb."""
        if not self:
            return 0.0
        words = name_words(column)
        phrase = " ".join(words)
        normalized = " ".join(self.words)
        if phrase and re.search(rf"\b{re.escape(phrase)}\b", normalized):
            score = 4.0
        elif any(_stem(w) in self.stems or self._prefix(w) for w in words if len(w) >= 4 and w not in _GENERIC):
            score = 2.0
        else:
            return 0.0
        key = re.escape(_stem(words[-1])[:5]) if words else ""
        if key and re.search(rf"{GOAL_VERBS}\W+(?:\w+\W+){{0,4}}{key}", normalized):
            score += 2.0
        return score

    def _prefix(self, word: str) -> bool:
        return len(word) >= 5 and any(len(s) >= 5 and s[:5] == word[:5] for s in self.stems)

    def mentions_value(self, value: str) -> bool:
        """Whether a category value (e.g. 'malignant') appears as a word of the description."""
        words = name_words(value)
        return bool(words) and all(len(w) >= 3 for w in words) and all(_stem(w) in self.stems for w in words)
