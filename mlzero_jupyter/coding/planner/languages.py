"""What a sample of text says about its writing: scripts written without spaces between words (Chinese, Japanese,
Thai...), mixed scripts, and whether an English-only model would fit it.

Scripts are read from Unicode character names (``CJK UNIFIED IDEOGRAPH-4E00``, ``HIRAGANA LETTER A``): the first
word names the script.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

#: Scripts whose words are not separated by spaces.
UNSPACED_SCRIPTS = {"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"}
#: Text with fewer spaces than this share of its characters is written without spaces between words.
SPACE_SHARE = 0.02
#: Text whose letters are at least this share in unspaced scripts needs character n-grams, spaces or not (Japanese
#: with Latin words in it has spaces around them).
UNSPACED_SHARE = 0.3
#: Text with at least this share of letters outside the Latin script needs a multilingual model.
FOREIGN_SHARE = 0.1
MIN_CHARACTERS = 20


def scripts(text: str) -> Counter:
    """How many letters of each script the text holds."""
    return Counter(unicodedata.name(c, "UNKNOWN").split(" ")[0] for c in text if c.isalpha())


def written_without_spaces(text: str) -> bool:
    """Whether the text needs character n-grams: few spaces, or mostly letters of scripts written without them."""
    text = text.strip()
    if len(text) < MIN_CHARACTERS:
        return False
    letters = scripts(text)
    unspaced = sum(n for script, n in letters.items() if script in UNSPACED_SCRIPTS)
    return text.count(" ") < SPACE_SHARE * len(text) or unspaced >= UNSPACED_SHARE * max(1, sum(letters.values()))


def needs_multilingual_model(text: str) -> bool:
    """Whether enough of the text is outside the Latin script that an English-only model would not read it."""
    letters = scripts(text)
    total = sum(letters.values())
    return total >= MIN_CHARACTERS and total - letters["LATIN"] >= FOREIGN_SHARE * total


def describe(text: str, top: int = 3) -> str:
    """``CJK, HIRAGANA and LATIN letters`` for a reason line."""
    names = [script for script, _ in scripts(text).most_common(top)]
    listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else "no"
    return f"{listed} letters"
