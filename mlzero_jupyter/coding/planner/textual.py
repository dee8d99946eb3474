"""Lines shared by every script that turns free text into n-gram features."""

from __future__ import annotations

from mlzero_jupyter.coding.planner.plan import Plan


def character_lines(plan: Plan, frames: str, columns: str) -> str:
    """Lines that space out the characters of text columns, so that word n-grams become character n-grams."""
    if not plan.character_ngrams:
        return ""
    return ("# Words are not separated by spaces in this text: every character becomes a token, so the n-gram\n"
            "# features are character n-grams.\n"
            f"for frame in {frames}:\n"
            f"    for column in [c for c in {columns} if c in frame]:\n"
            "        frame[column] = frame[column].fillna(\"\").astype(str).map(lambda text: \" \".join(text.replace(\" \", "
            "\"\")))\n")
