"""Lines shared by every script that turns free text into n-gram features."""

from __future__ import annotations

from mlzero_jupyter.coding.planner.plan import Plan


def character_lines(plan: Plan, frames: str, columns: str) -> str:
    """Lines that turn text written without spaces into its overlapping character pairs, one token each, so that
    TabularPredictor's word n-grams (tokens of two characters or more) become character n-grams of 2 to 4."""
    if not plan.character_ngrams:
        return ""
    return ("# Words are not separated by spaces in this text: its overlapping character pairs become the tokens, so\n"
            "# the n-gram features are character n-grams.\n"
            "def character_pairs(text: str) -> str:\n"
            "    text = text.replace(\" \", \"\")\n"
            "    return \" \".join(text[i:i + 2] for i in range(len(text) - 1)) or text\n\n\n"
            f"for frame in {frames}:\n"
            f"    for column in [c for c in {columns} if c in frame]:\n"
            "        frame[column] = frame[column].fillna(\"\").astype(str).map(character_pairs)\n")
