"""Retrieval tasks: a table of queries, a corpus and relevance judgements for some queries; rank the corpus for the
others.

The layout is recognised by its links, not by file names: a small table of judgements whose two key columns name
rows of two other tables (by a shared column name or shared values), each with a text column. The request's words
("rank the documents", "find the best answers for each question") only raise the confidence.
"""

from __future__ import annotations

import re
from itertools import permutations

import pandas as pd

from mlzero_jupyter.errors import DataError
from mlzero_jupyter.metrics import normalise_key
from mlzero_jupyter.perception.description import Description
from mlzero_jupyter.perception.samples import TableSample
from mlzero_jupyter.perception.spec import FileInfo, FileRole, Inferred, Modality, ProblemType, RetrievalInfo, TaskSpec
from mlzero_jupyter.perception.tables import read_table

#: Words of a request for a ranking of items per query.
RANKING_WORDS = r"\b(rank\w*|retriev\w*|search\w*|most relevant|relevan\w+|best (answers?|matches|match|documents?|" \
                r"passages?|replies|responses?)|(answers?|documents?|passages?|replies|responses?) (for|to) each)\b"
#: Names of a judgements table, of the queries' side and of the items' side.
JUDGEMENT_NAMES = r"qrel|judg|relevan|label"
QUERY_NAMES = r"quer|question|topic|^q"
ITEM_NAMES = r"corpus|doc|passage|answer|repl|item|product|^d"
#: A judgements table holds its two keys and at most a relevance column.
MAX_JUDGEMENT_COLUMNS = 3
#: A text column: strings this long on average (in characters).
MIN_TEXT_LENGTH = 8


def find_retrieval(tables: list[TableSample]) -> RetrievalInfo | None:
    """The retrieval layout of these tables, if they have one (judged tables named like judgements first); a
    DataError when every query is judged (nothing to rank)."""
    judged = sorted((t for t in tables if 2 <= len(t.frame.columns) <= MAX_JUDGEMENT_COLUMNS),
                    key=lambda t: not re.search(JUDGEMENT_NAMES, t.info.path.lower()))
    for judgements in judged:
        others = [t for t in tables if t is not judgements]
        found = []
        for query_key, doc_key in permutations(judgements.frame.columns, 2):
            queries = _linked(judgements.frame[query_key], query_key, others)
            corpus = _linked(judgements.frame[doc_key], doc_key, [t for t in others if queries and t is not queries[0]])
            if queries and corpus:
                found.append((query_key, doc_key, queries, corpus))
        if found:  # which side is the queries': by the names, else the first column
            query_key, doc_key, queries, corpus = max(found, key=lambda f: _named_like(f[0], f[2], QUERY_NAMES)
                                                      + _named_like(f[1], f[3], ITEM_NAMES))
            if not _unjudged(queries, judgements.frame[query_key]):
                raise DataError(f"every query of {table_key(queries[0].info)} has judgements in "
                                f"{table_key(judgements.info)}, "
                                "so none is left to rank; add the queries to rank (without judgements) to it")
            (q_table, q_id, q_text), (c_table, c_id, c_text) = queries, corpus
            rest = [c for c in judgements.frame.columns if c not in (query_key, doc_key)]
            relevance = next((c for c in rest if pd.api.types.is_numeric_dtype(judgements.frame[c])), None)
            return RetrievalInfo(table_key(q_table.info), q_id, q_text, table_key(c_table.info), c_id, c_text,
                                 table_key(judgements.info), str(query_key), str(doc_key), relevance)
    return None


def _named_like(key: str, linked: tuple[TableSample, str, str], pattern: str) -> int:
    return int(bool(re.search(pattern, f"{key} {linked[0].info.path}".lower())))


def _linked(keys: pd.Series, name: str, tables: list[TableSample]) -> tuple[TableSample, str, str] | None:
    """The table (with its id and text columns) whose ids the judgement column ``keys`` names: the same column
    name, or else the column holding most of the keys."""
    wanted = {normalise_key(k) for k in keys.dropna()}
    for table in tables:
        frame = table.frame
        texts = [c for c in frame.columns if c != name and _is_text(frame[c])]
        ids = [c for c in frame.columns if c not in texts and frame[c].notna().all() and frame[c].is_unique]
        named = [c for c in ids if str(c).lower() == str(name).lower()]
        covering = [c for c in ids if len(wanted & {normalise_key(v) for v in frame[c]}) >= 0.5 * len(wanted)]
        found = (named or covering)[:1]
        if found and texts and wanted:
            text = max(texts, key=lambda c: frame[c].astype(str).str.len().mean())
            return table, str(found[0]), str(text)
    return None


def _is_text(column: pd.Series) -> bool:
    values = column.dropna()
    return (values.map(type) == str).all() and len(values) > 0 and values.str.len().mean() >= MIN_TEXT_LENGTH \
        and values.str.contains(" ").mean() > 0.5


def _unjudged(queries: tuple[TableSample, str, str], judged: pd.Series) -> bool:
    """Some queries have no judgement: those are the ones to rank."""
    table, id_column, _ = queries
    return bool(set(table.frame[id_column].map(normalise_key)) - set(judged.map(normalise_key)))


def apply_retrieval(spec: TaskSpec, tables: list[TableSample], layout: RetrievalInfo, words: Description,
                    readme: Description) -> None:
    """Set the spec of a retrieval task: the judgements are the labels, the queries and the corpus their context."""
    roles = {layout.judgements_file: FileRole.TRAIN, layout.queries_file: FileRole.AUXILIARY,
             layout.corpus_file: FileRole.AUXILIARY}
    for table in tables:
        if table_key(table.info) in roles:
            table.info.role, table.info.role_confidence = roles[table_key(table.info)].value, 0.9
    asked = words.says(RANKING_WORDS) or readme.says(RANKING_WORDS)
    how = "; the request asks for a ranking" if asked else ""
    reason = (f"{layout.judgements_file} judges items of {layout.corpus_file} for queries of "
              f"{layout.queries_file}, and some queries have no judgement{how}")
    spec.retrieval = layout
    spec.problem_type = Inferred(ProblemType.RETRIEVAL, 0.95 if asked else 0.85, [], reason)
    spec.modality = Inferred(Modality.TEXT, 0.9, [], f"texts in {layout.queries_file} and {layout.corpus_file}")
    spec.target = Inferred(layout.judged_doc_column, 0.9, [], f"the judged items of {layout.judgements_file}")
    spec.id_column = Inferred(layout.judged_query_column, 0.9, [], "the queries' id in the judgements")


# -- reading the layout (the validator, the referee and the planner's checks read the same rows) --------------------
def table_key(info: FileInfo) -> str:
    """How the layout names a table: its path, with the sheet or database table after '::' when it has one."""
    return info.path if info.table is None else f"{info.path}::{info.table}"


def part_info(spec: TaskSpec, key: str) -> FileInfo:
    """The FileInfo of one of the layout's tables."""
    return next(f for f in spec.files if table_key(f) == key)


def read_part(spec: TaskSpec, key: str) -> pd.DataFrame:
    """One of the layout's tables, read as perception read it."""
    info = part_info(spec, key)
    return read_table(spec.absolute(info), info)


def unjudged_queries(spec: TaskSpec) -> list[str]:
    """The ids (normalised) of the queries to rank: those without a judgement."""
    layout = spec.retrieval
    queries = read_part(spec, layout.queries_file)[layout.query_id_column].map(normalise_key)
    judged = set(read_part(spec, layout.judgements_file)[layout.judged_query_column].map(normalise_key))
    return [q for q in dict.fromkeys(queries) if q not in judged]
