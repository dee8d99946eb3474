"""Checks of a retrieval attempt's rankings: the query and item columns, every query to rank and no other, known
items, and the top items of each query without repeats. Each problem is one message for the next attempt."""

from __future__ import annotations

import pandas as pd

from mlzero_jupyter.metrics import RANKING_DEPTH, normalise_key
from mlzero_jupyter.perception.retrieval import read_part, unjudged_queries
from mlzero_jupyter.perception.spec import TaskSpec

#: Ids shown in a message.
SHOWN = 3


def rankings(task: TaskSpec, predictions: pd.DataFrame) -> list[str]:
    layout = task.retrieval
    query, item = layout.judged_query_column, layout.judged_doc_column
    missing = [c for c in (query, item) if c not in predictions.columns]
    if missing:
        return [f"The rankings have no column {', '.join(map(repr, missing))}: write one row per (query, item) with "
                f"the columns {query!r}, {item!r} and 'rank' (1 = best)."]
    if "rank" in predictions and pd.to_numeric(predictions["rank"], errors="coerce").isna().any():
        return ["The 'rank' column holds values that are not numbers: rank 1 is the best item of its query."]
    queries, items = predictions[query].map(normalise_key), predictions[item].map(normalise_key)
    wanted = unjudged_queries(task)
    corpus = read_part(task, layout.corpus_file)[layout.doc_id_column].map(normalise_key)
    depth = min(RANKING_DEPTH, len(corpus))
    found = []
    absent = [q for q in wanted if q not in set(queries)]
    if absent:
        found.append(f"{len(absent)} of {len(wanted)} queries to rank have no rows (e.g. {absent[:SHOWN]}): rank "
                     f"the corpus for every query of {layout.queries_file} without a judgement.")
    extra = sorted(set(queries) - set(wanted))
    if extra:
        found.append(f"{len(extra)} ranked queries are not among the queries to rank (e.g. {extra[:SHOWN]}): judged "
                     "or unknown queries must not be ranked.")
    unknown = sorted(set(items) - set(corpus))
    if unknown:
        found.append(f"{len(unknown)} ranked items are not in {layout.corpus_file} (e.g. {unknown[:SHOWN]}): use "
                     f"the ids of its column {layout.doc_id_column!r}.")
    if pd.DataFrame({"q": queries, "i": items}).duplicated().any():
        found.append("An item is ranked twice for the same query: each query's items must be distinct.")
    counts = queries.value_counts()
    short = counts[counts < depth]
    if len(short):
        found.append(f"{len(short)} queries have fewer than {depth} ranked items (e.g. {list(short.index[:SHOWN])}): "
                     f"rank at least the top {depth} of the corpus for each query.")
    return found
