"""Which column a phrase of the request names, across camelCase, snake_case, abbreviations and plurals.

A column's words ('imdbRating' -> imdb rating, 'yrs_married' -> yrs married, 'MPG' -> mpg) are aligned with
consecutive words of the text. A word matches when it is the same up to a plural, an abbreviation of it ('med' for
'median', 'qty' for 'quantity'), the initials of several words ('mpg' for 'miles per gallon'), or several words
written together ('saleprice' for 'sale price'). When one column's full name covers the words another column matched
('IMDb rating' covers 'rating'), only the longer match counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlzero_jupyter.perception.profile import name_words

#: Filler words of column names ('Miles_per_Gallon', 'Weight_in_lbs'): matched when present, never required.
FILLERS = {"the", "a", "an", "of", "in", "per", "for", "to", "and", "by", "on", "at", "with"}
#: Words too common to name a column on their own.
GENERIC = {"data", "value", "file", "column", "each", "number", "name", "with", "from", "that", "this", "will",
           "which", "what", "where", "score", "scored", "submission", "predict", "test", "train", "using", "based",
           "given", "model", "the", "and", "for", "are", "is", "of", "use", "row", "table", "dataset", "target",
           "label", "new", "one", "all"}
#: Words after which the next few words name what is wanted.
GOAL_WORDS = {"predict", "predicting", "forecast", "forecasting", "estimate", "estimating", "classify", "determine",
              "guess", "infer", "model", "which", "whether", "what", "how", "likely", "target", "goal", "label"}
GOAL_REACH = 4
_ABBREVIATIONS = {"no": "number", "nbr": "number", "lbs": "pound", "lb": "pound", "kg": "kilogram"}
#: Words of a request that mean a word of column names ('the highest temperature' names temp_max).
SYNONYMS = {"max": {"highest", "largest", "peak", "top"}, "min": {"lowest", "smallest"}, "mean": {"average"}}
_VOWELS = set("aeiou")
FULL_SCORE, SCATTERED_SCORE, PARTIAL_SCORE, GOAL_BONUS = 4.0, 3.0, 2.0, 2.0
#: Added to a part of a name that ends it: its head noun ('price' names SalePrice more than price_band).
HEAD_BONUS = 1.0
#: Words apart that the words of one column name may be and still name it together ('years ... married').
SCATTER_REACH = 6


def singular(word: str) -> str:
    """'prices' -> 'price', 'categories' -> 'category', 'boxes' -> 'box'; 'status' and 'class' stay."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) == 3 and word.endswith("s") and not set(word) & _VOWELS:  # 'yrs', 'lbs', 'hrs'
        return word[:-1]
    return word


def abbreviates(short: str, word: str) -> bool:
    """'med' for 'median', 'qty' for 'quantity', 'yr' for 'year': a prefix, then some of the word's consonants."""
    if _ABBREVIATIONS.get(short) == word:
        return True
    if len(short) < 2 or len(short) >= len(word) or short[0] != word[0]:
        return False
    if len(short) >= 3 and word.startswith(short):
        return True
    for cut in range(1, len(short)):
        if not word.startswith(short[:cut]):
            break
        rest = short[cut:]
        if not set(rest) & _VOWELS and _subsequence(rest, word[cut:]):
            return True
    return False


def _subsequence(short: str, word: str) -> bool:
    letters = iter(word)
    return all(letter in letters for letter in short)


def same_word(a: str, b: str) -> bool:
    """Equal up to a plural, or sharing a long stem ('progress' and 'progression')."""
    if a == b:
        return True
    common = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return common >= 5 and common >= 0.6 * max(len(a), len(b))


@dataclass
class Mention:
    """Where a column is named in a text: a span of its words, whether the whole name matched."""

    column: str
    start: int
    end: int  # exclusive
    full: bool
    scattered: bool = False  # every word of the name is there, not side by side
    head: bool = False  # the matched words end the name (its head noun: 'price' of SalePrice)

    def inside(self, other: Mention) -> bool:
        return other.start <= self.start and self.end <= other.end and (self.end - self.start) < (
            other.end - other.start)


def column_words(column: str) -> list[str]:
    words = [singular(w) for w in name_words(column)]
    core = [w for w in words if w not in FILLERS]
    return core or words


def _consume(word: str, tokens: list[str], at: int) -> int:
    """How many text words from ``at`` the column word ``word`` matches (0: none)."""
    if at >= len(tokens):
        return 0
    if same_word(word, tokens[at]) or abbreviates(word, tokens[at]) or tokens[at] in SYNONYMS.get(word, ()):
        return 1
    for size in (2, 3):  # written together: 'saleprice' for 'sale price'
        group = tokens[at:at + size]
        if len(group) == size and "".join(group) == word:
            return size
    group = tokens[at:at + len(word)]  # initials: 'mpg' for 'miles per gallon' (acronyms have few vowels)
    if 2 <= len(word) <= 5 and len(group) == len(word) and sum(c in _VOWELS for c in word) <= 1 \
            and group[0] not in FILLERS and "".join(t[0] for t in group) == word:
        return len(word)
    return 0


def _align(words: list[str], tokens: list[str], start: int) -> tuple[int, int]:
    """Column words matched in order from ``start`` (text fillers may sit between them): (count, end)."""
    at, matched = start, 0
    for word in words:
        while matched and at < len(tokens) and tokens[at] in FILLERS and not _consume(word, tokens, at):
            at += 1
        used = _consume(word, tokens, at)
        if not used:
            break
        at, matched = at + used, matched + 1
    return matched, at


def find_mention(column: str, tokens: list[str], starts: dict[str, list[int]] | None = None) -> Mention | None:
    """The best place ``tokens`` (singular words of a text) name ``column``: its whole name, else all its words
    near each other, else a distinctive run of its words. ``starts`` (positions by first letter) saves time."""
    words = column_words(column)
    if not words or not tokens:
        return None
    starts = starts if starts is not None else initials(tokens)
    best: Mention | None = None
    for offset in range(len(words)):
        part = words[offset:]
        for start in _places(part[0], starts):
            count, end = _align(part, tokens, start)
            if not count:
                continue
            full = offset == 0 and count == len(words) and not _shortened_single(words, tokens[start])
            distinctive = any(len(w) >= 4 and w not in GENERIC for w in part[:count]) or count >= 2
            if not (full or distinctive):
                continue
            mention = Mention(column, start, end, full, head=offset + count == len(words))
            if best is None or (mention.full, end - start) > (best.full, best.end - best.start):
                best = mention
        if best is not None and best.full:
            return best
    return _scattered(column, words, tokens, starts) or best


def initials(tokens: list[str]) -> dict[str, list[int]]:
    """Positions of the tokens by their first letter."""
    found: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        found.setdefault(token[0], []).append(position)
    return found


def _places(word: str, starts: dict[str, list[int]]) -> list[int]:
    """Where ``word`` may match: tokens of its first letter (every way but a synonym keeps it), or of a synonym's."""
    letters = {word[0], *(synonym[0] for synonym in SYNONYMS.get(word, ()))}
    return sorted(p for letter in letters for p in starts.get(letter, []))


def _shortened_single(words: list[str], token: str) -> bool:
    """A one-word name found only as the start of a longer word ('age' in 'agent') is not the whole name."""
    return len(words) == 1 and not same_word(words[0], token) and abbreviates(words[0], token)


def _scattered(column: str, words: list[str], tokens: list[str], starts: dict[str, list[int]]) -> Mention | None:
    """Every word of a multi-word name within a few words of each other ('years ... married' for yrs_married)."""
    if len(words) < 2:
        return None
    places = [[i for i in _places(w, starts) if _consume(w, tokens, i) == 1] for w in words]
    if not all(places):
        return None
    start, end = min(p[0] for p in places), max(p[0] for p in places) + 1
    if end - start > SCATTER_REACH + len(words):
        return None
    return Mention(column, start, end, full=False, scattered=True)


def mention_scores(columns: list[str], tokens: list[str]) -> dict[str, float]:
    """4 for a column's whole name, 3 for all its words near each other, 2 for a distinctive part of it (+1 when
    that part ends the name), +2 when it follows a goal word; a match inside another column's longer full match
    does not count."""
    starts = initials(tokens)
    mentions = {c: m for c in columns if (m := find_mention(c, tokens, starts)) is not None}
    fulls = [m for m in mentions.values() if m.full]
    scores = {}
    for column, mention in mentions.items():
        if any(mention.inside(other) for other in fulls if other.column != column):
            continue
        goal = any(tokens[i] in GOAL_WORDS for i in range(max(0, mention.start - GOAL_REACH - 1), mention.start))
        base = FULL_SCORE if mention.full else SCATTERED_SCORE if mention.scattered else (
            PARTIAL_SCORE + HEAD_BONUS * mention.head)
        scores[column] = base + GOAL_BONUS * goal
    return scores
