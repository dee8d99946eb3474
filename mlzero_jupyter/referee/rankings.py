"""The referee of retrieval tasks: some judged queries lose their judgements in the derived copy (so that the
attempts rank them with the real queries to rank), and the agent scores their rankings itself."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlzero_jupyter.metrics import RANKING_METRICS, InvalidSubmission, judgements, normalise_key, ranked_lists
from mlzero_jupyter.perception.retrieval import part_info, unjudged_queries
from mlzero_jupyter.referee.derive import Answers, Referee, _Derivation
from mlzero_jupyter.referee.holdout import choose_rows
from mlzero_jupyter.referee.judge import Judgement, read_predictions


class Rankings(_Derivation):
    """Judged queries are held out whole: every judgement of a held-out query leaves the judgements table."""

    def build(self) -> Referee | None:
        layout = self.task.retrieval
        info = part_info(self.task, layout.judgements_file)
        raw = self.raw(info)
        queries = raw[layout.judged_query_column].map(normalise_key)
        judged = list(dict.fromkeys(queries))
        held = {judged[i] for i in choose_rows(pd.Series(judged), False, self.seed)}
        relevant = judgements(self.typed(info)[queries.isin(held).to_numpy()], layout.judged_query_column,
                              layout.judged_doc_column, layout.relevance_column)
        if not relevant:
            return None
        keys = list(relevant)
        answers = Answers("ranking", keys, [relevant[k] for k in keys], layout.judged_query_column,
                          unjudged_queries(self.task), label=layout.judged_doc_column)
        referee = Referee(self.spec, answers, self.root, "queries")
        if self.fresh:
            self.copy_tree()
            self.stage(info, raw[~queries.isin(held).to_numpy()])
            self.finish()
        return referee


def judge_rankings(answers: Answers, predictions_path: Path, metric: str) -> Judgement:
    """The held-out queries' rankings scored on ``metric`` (nDCG@10 or MRR)."""
    if metric not in RANKING_METRICS:
        return Judgement(False, problems=[f"no referee for metric {metric!r} on rankings (use ndcg or mrr)"])
    try:
        ranked = ranked_lists(read_predictions(predictions_path), answers.key_column, answers.label)
    except (InvalidSubmission, KeyError, ValueError, OSError) as error:
        return Judgement(False, problems=[f"the referee cannot read the rankings: {error}"])
    missing = [key for key in answers.keys if key not in ranked]
    if missing:
        return Judgement(False, problems=[f"{len(missing)} of {answers.rows} held-out queries are not ranked (e.g. "
                                          f"{missing[0]!r}): rank every query without a judgement"])
    function, _ = RANKING_METRICS[metric]
    return Judgement(True, score=function(dict(zip(answers.keys, answers.truth)), ranked))
