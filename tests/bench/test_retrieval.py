"""Retrieval end to end on the chatter_answers task (real chatterbot questions and replies): the layout, the
metrics and the grader, perception, the referee's held-out queries, the validator's checks and the BM25 script run
for real (the embedding candidates run in tests/agent/test_agent_offline.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from mlzero_jupyter.bench.grader import InvalidSubmission, grade
from mlzero_jupyter.bench.tasks import breast_cancer_tables, chatter_answers
from mlzero_jupyter.coding.base import CodingContext, Exhausted
from mlzero_jupyter.coding.offline import OfflinePlanner
from mlzero_jupyter.errors import DataError
from mlzero_jupyter.execution.ranking_checks import rankings
from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.metrics import RANKING_METRICS
from mlzero_jupyter.perception import perceive
from mlzero_jupyter.perception.retrieval import unjudged_queries
from mlzero_jupyter.referee.derive import derive
from mlzero_jupyter.referee.judge import judge

REQUEST = "Find the best answers in corpus.csv for each question without judgements; rank the top 10."


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    return chatter_answers(tmp_path_factory.mktemp("suite"))


def ranked(pairs: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"query_id": q, "doc_id": d, "rank": r} for q, docs in pairs.items()
                         for r, d in enumerate(docs, start=1)])


def test_the_answers_judge_exactly_the_queries_without_judgements(task):
    queries = pd.read_csv(task / "input" / "queries.csv")
    corpus = pd.read_csv(task / "input" / "corpus.csv")
    judged = pd.read_csv(task / "input" / "qrels" / "train.csv")
    answers = pd.read_csv(task / "truth" / "answers.csv")
    assert set(answers["query_id"]) == set(queries["query_id"]) - set(judged["query_id"])
    assert set(answers["doc_id"]) | set(judged["doc_id"]) <= set(corpus["doc_id"])
    assert len(answers["query_id"].unique()) > 100 and queries["text"].is_unique and corpus["text"].is_unique


def test_ndcg_and_mrr_by_hand():
    relevant = {"a": {"x": 1.0, "y": 1.0}, "b": {"z": 1.0}}
    order = {"a": ["y", "w"], "b": ["w", "z"]}
    ndcg, _ = RANKING_METRICS["ndcg"]
    mrr, _ = RANKING_METRICS["mrr"]
    assert ndcg(relevant, order) == pytest.approx((1 / (1 + 1 / 1.5849625) + 1 / 1.5849625) / 2)
    assert mrr(relevant, order) == pytest.approx((1 + 0.5) / 2)


def test_the_grader_scores_rankings_and_refuses_incomplete_ones(task):
    answers = pd.read_csv(task / "truth" / "answers.csv")
    perfect = ranked(answers.groupby("query_id")["doc_id"].apply(list).to_dict())
    keys = [c for c in answers.columns if c != "doc_id"]
    assert grade(perfect, answers, "ndcg", "doc_id", keys).score == pytest.approx(1.0)
    assert grade(perfect, answers, "mrr", "doc_id", keys).score == pytest.approx(1.0)
    reversed_ = perfect.assign(rank=-perfect["rank"])  # a worse order of the same items
    wrong = ranked({q: ["d9999"] for q in answers["query_id"].unique()})
    assert grade(wrong, answers, "ndcg", "doc_id", keys).score == 0.0
    assert grade(reversed_, answers, "ndcg", "doc_id", keys).score <= 1.0
    with pytest.raises(InvalidSubmission, match="not ranked"):
        grade(perfect[perfect["query_id"] != answers["query_id"].iloc[0]], answers, "ndcg", "doc_id", keys)
    with pytest.raises(InvalidSubmission, match="lacks the column"):
        grade(perfect.rename(columns={"doc_id": "reply"}), answers, "ndcg", "doc_id", keys)


def test_perception_reads_the_layout_and_the_request(task, tmp_path):
    spec = perceive(task / "input", REQUEST)
    assert (spec.problem_type.value, spec.target.value, spec.id_column.value, spec.metric.value) == (
        "retrieval", "doc_id", "query_id", "ndcg")
    assert spec.problem_type.confidence > perceive(task / "input").problem_type.confidence  # the words add to it
    layout = spec.retrieval
    assert (layout.queries_file, layout.corpus_file, layout.judgements_file) == ("queries.csv", "corpus.csv",
                                                                                  "qrels/train.csv")
    assert (layout.query_text_column, layout.doc_text_column, layout.relevance_column) == ("text", "text", "relevance")
    assert perceive(task / "input", "Rank the replies; scored by mean reciprocal rank.").metric.value == "mrr"
    other = perceive(breast_cancer_tables(tmp_path) / "input", "Predict the diagnosis of each test patient.")
    assert other.problem_type.value != "retrieval" and other.retrieval is None


def test_the_referee_holds_out_judged_queries_and_scores_their_rankings(task, tmp_path):
    spec = perceive(task / "input", REQUEST)
    referee = derive(spec, tmp_path / "derived", seed=0)
    answers = referee.answers
    derived = pd.read_csv(tmp_path / "derived" / "qrels" / "train.csv")
    assert answers.kind == "ranking" and answers.rows >= 10
    assert not set(answers.keys) & set(derived["query_id"])
    assert set(unjudged_queries(referee.task)) == set(answers.keys) | set(answers.real_keys)
    corpus = pd.read_csv(task / "input" / "corpus.csv")["doc_id"].tolist()
    top10 = lambda first: (first + [d for d in corpus if d not in first])[:10]  # noqa: E731
    full = ranked({**{q: top10(list(gains)) for q, gains in zip(answers.keys, answers.truth)},
                   **{q: top10([]) for q in answers.real_keys}})
    attempt = tmp_path / "attempt"
    attempt.mkdir()
    assert rankings(referee.task, full) == []
    full.to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "ndcg")
    assert verdict.ok and verdict.score == pytest.approx(1.0)
    full[full["query_id"] != answers.keys[0]].to_csv(attempt / "predictions.csv", index=False)
    verdict = judge(answers, attempt / "predictions.csv", "ndcg")
    assert not verdict.ok and "not ranked" in verdict.problems[0]
    problems = rankings(referee.task, full.assign(doc_id="nope"))
    assert any("not in corpus.csv" in p for p in problems) and any("twice" in p for p in problems)


def test_without_the_embedding_model_bm25_ranks_and_the_search_ends(task, tmp_path):
    """BM25 alone, for real: the script's rankings pass the checks; no embedding candidate without the model."""
    data = tmp_path / "data"
    shutil.copytree(task / "input", data)
    spec = perceive(data, REQUEST)
    attempt = tmp_path / "attempt_1"
    attempt.mkdir()
    environment = {"modules": {"sentence_transformers": {"importable": True}}, "checkpoints": []}
    context = CodingContext(task=spec, tool="sklearn", attempt=1, attempt_dir=attempt, time_limit=60,
                            environment=environment)
    draft = OfflinePlanner().write(context)
    assert draft.candidate == "bm25" and "BM25Okapi" in draft.code and "SentenceTransformer" not in draft.code
    assert "BM25 only: no sentence-embedding model here" in draft.summary
    (attempt / "solution.py").write_text(draft.code)
    done = subprocess.run([sys.executable, "solution.py"], cwd=attempt, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = json.loads((attempt / "metrics.json").read_text())
    assert metrics["metric"] == "ndcg" and 0 < metrics["validation_score"] < 1
    assert rankings(spec, pd.read_csv(attempt / "predictions.csv")) == []
    context.attempts = [AttemptRecord(number=1, candidate="bm25", status="success", score=metrics["validation_score"])]
    with pytest.raises(Exhausted):
        OfflinePlanner().write(context)


def test_the_notebook_names_what_is_ranked(task):
    from mlzero_jupyter.events import AgentEvent
    from mlzero_jupyter.notebook.display import RunProgress

    progress = RunProgress()
    progress.apply(AgentEvent("task_perceived", "r1", None, {"task": perceive(task / "input", REQUEST).to_dict()}))
    lines = progress.task_lines()
    assert "problem: retrieval (95%)" in lines[1] and "metric: ndcg" in lines[1]
    assert lines[2] == ("ranking: the items of corpus.csv for the queries of queries.csv that qrels/train.csv does "
                        "not judge")


def test_the_sides_are_told_apart_by_name_and_a_task_with_nothing_to_rank_is_one_clear_error(task, tmp_path):
    swapped = shutil.copytree(task / "input", tmp_path / "swapped")
    qrels = pd.read_csv(swapped / "qrels" / "train.csv")
    qrels[["doc_id", "query_id", "relevance"]].to_csv(swapped / "qrels" / "train.csv", index=False)
    layout = perceive(swapped).retrieval
    assert (layout.queries_file, layout.judged_query_column, layout.corpus_file) == ("queries.csv", "query_id",
                                                                                      "corpus.csv")
    judged = shutil.copytree(task / "input", tmp_path / "judged")
    queries = pd.read_csv(judged / "queries.csv")
    queries[queries["query_id"].isin(qrels["query_id"])].to_csv(judged / "queries.csv", index=False)
    with pytest.raises(DataError, match="every query of queries.csv has judgements in qrels/train.csv"):
        perceive(judged, REQUEST)


def test_one_workbook_holds_the_three_tables_and_the_search_reaches_every_ranker(task, tmp_path):
    """Sheets of one Excel file: BM25 runs for real; with a local checkpoint the search goes on to the embeddings
    and the mix (rendered and compiled here; they run in the agent's suite test), then ends."""
    data = tmp_path / "data"
    data.mkdir()
    with pd.ExcelWriter(data / "answers.xlsx") as workbook:
        for name, path in (("queries", "queries.csv"), ("corpus", "corpus.csv"), ("qrels", "qrels/train.csv")):
            pd.read_csv(task / "input" / path).to_excel(workbook, sheet_name=name, index=False)
    spec = perceive(data, REQUEST)
    assert (spec.retrieval.queries_file, spec.retrieval.judgements_file) == ("answers.xlsx::queries",
                                                                             "answers.xlsx::qrels")
    environment = {"modules": {"sentence_transformers": {"importable": True}},
                   "checkpoints": [{"role": "text", "path": "/models/minilm", "source": "config"}]}
    attempts, drafts = [], []
    while True:
        context = CodingContext(task=spec, tool="sklearn", attempt=len(attempts) + 1,
                                attempt_dir=tmp_path / f"attempt_{len(attempts) + 1}", time_limit=60,
                                environment=environment, attempts=list(attempts))
        try:
            drafts.append(OfflinePlanner().write(context))
        except Exhausted:
            break
        compile(drafts[-1].code, "solution.py", "exec")
        attempts.append(AttemptRecord(number=len(attempts) + 1, candidate=drafts[-1].candidate, status="success",
                                      score=0.5))
    assert [d.candidate for d in drafts] == ["bm25", "embeddings", "fused"]
    assert 'EMBEDDING_MODEL = Path("/models/minilm")' in drafts[2].code and "WEIGHTS = [0.0, 0.1" in drafts[2].code
    attempt = tmp_path / "attempt_1"
    attempt.mkdir()
    (attempt / "solution.py").write_text(drafts[0].code)
    done = subprocess.run([sys.executable, "solution.py"], cwd=attempt, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert rankings(spec, pd.read_csv(attempt / "predictions.csv")) == []
