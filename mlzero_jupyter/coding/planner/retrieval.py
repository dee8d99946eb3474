"""Scripts for retrieval: rank a corpus for the queries without judgements, with BM25 (rank-bm25, always there),
sentence embeddings from the local text checkpoint (sentence-transformers; cosine similarity), or the two mixed with
a weight tuned on half of the judged queries. BM25 and the embeddings learn nothing from the judgements, so every
judged query scores them; the mix is scored on the judged queries it was not tuned on."""

from __future__ import annotations

from string import Template
from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import candidates
from mlzero_jupyter.coding.planner.backbones import local_checkpoint
from mlzero_jupyter.coding.planner.common import metric_name
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import Raw, file_constant, literal, read_lines, write_line
from mlzero_jupyter.metrics import RANKING_DEPTH
from mlzero_jupyter.perception.retrieval import part_info
from mlzero_jupyter.perception.spec import ProblemType, TaskSpec

#: The rankers of the search, fastest first; each needs the ones before it only for the mix.
RANKERS = ("bm25", "embeddings", "fused")
#: The weights of BM25 in the mix that the script tries (the rest goes to the embeddings).
WEIGHTS = [round(0.1 * step, 1) for step in range(11)]

BM25 = '''def words(text: str) -> list[str]:
    """Lower-case word tokens: BM25 matches them exactly."""
    return re.findall(r"\\w+", text.lower())


bm25 = BM25Okapi([words(text) for text in doc_texts])


def bm25_scores(queries: list[str]) -> np.ndarray:
    return np.array([bm25.get_scores(words(query_text[query])) for query in queries]).reshape(len(queries), -1)'''

EMBEDDINGS = '''encoder = SentenceTransformer(str(EMBEDDING_MODEL), device="cpu")
doc_vectors = encoder.encode(doc_texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)


def embedding_scores(queries: list[str]) -> np.ndarray:
    """Cosine similarity of the query's and the items' unit-length embeddings."""
    vectors = encoder.encode([query_text[query] for query in queries], batch_size=64, normalize_embeddings=True,
                             convert_to_numpy=True)
    return (vectors @ doc_vectors.T).reshape(len(queries), -1)'''

STANDARDISED = '''def standardised(scores: np.ndarray) -> np.ndarray:
    """Each query's scores on one scale (mean 0, spread 1), so that BM25 and cosine similarity can be mixed."""
    spread = scores.std(axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1)'''

UNFITTED = '''judged = sorted(relevant)
final_scores = {function}
validation_score = mean_metric(judged, final_scores(judged))
Path(MODEL_DIR).mkdir(exist_ok=True)
(Path(MODEL_DIR) / "ranker.json").write_text(json.dumps({{"ranker": "{ranker}"}}))'''

FUSED = '''judged = sorted(relevant)
tuning = set(np.random.default_rng(SEED).choice(judged, size=len(judged) // 2, replace=False))
tune, held_out = [q for q in judged if q in tuning], [q for q in judged if q not in tuning]
lexical, semantic = standardised(bm25_scores(judged)), standardised(embedding_scores(judged))
position = {query: i for i, query in enumerate(judged)}


def mixed(queries: list[str], weight: float) -> np.ndarray:
    rows = [position[query] for query in queries]
    return weight * lexical[rows] + (1 - weight) * semantic[rows]


weight = max(WEIGHTS, key=lambda w: mean_metric(tune, mixed(tune, w)))
validation_score = mean_metric(held_out, mixed(held_out, weight))
print(f"BM25 weight {weight} (tuned on {len(tune)} judged queries)")
Path(MODEL_DIR).mkdir(exist_ok=True)
(Path(MODEL_DIR) / "ranker.json").write_text(json.dumps({"ranker": "fused", "bm25_weight": weight}))


def final_scores(queries: list[str]) -> np.ndarray:
    return weight * standardised(bm25_scores(queries)) + (1 - weight) * standardised(embedding_scores(queries))


'''  # two blank lines after the function, before the metrics

HELPERS = '''
def top_positions(scores: np.ndarray) -> np.ndarray:
    """The positions of the DEPTH best items of each row of scores, best first (ties keep the corpus order)."""
    return np.argsort(-scores, axis=1, kind="stable")[:, :DEPTH]


def ndcg(ranked: list[str], gains: dict[str, float]) -> float:
    dcg = sum(gains.get(doc, 0.0) / np.log2(position + 2) for position, doc in enumerate(ranked[:DEPTH]))
    ideal = sum(gain / np.log2(position + 2) for position, gain in enumerate(sorted(gains.values(), reverse=True)[:DEPTH]))
    return dcg / ideal if ideal > 0 else 0.0


def mrr(ranked: list[str], gains: dict[str, float]) -> float:
    return next((1 / (position + 1) for position, doc in enumerate(ranked[:DEPTH]) if gains.get(doc, 0) > 0), 0.0)


def mean_metric(queries: list[str], scores: np.ndarray) -> float:
    score = ndcg if METRIC == "ndcg" else mrr
    ranked = [list(doc_ids[row]) for row in top_positions(scores)]
    return float(np.mean([score(items, relevant[query]) for query, items in zip(queries, ranked)]))
'''

#: The prepare section: the texts by id, the judged queries' relevant items, the queries to rank.
RELEVANT = Template('''query_text = dict(zip(queries[QUERY_ID].astype(str), queries[QUERY_TEXT].fillna("").astype(str)))
doc_ids = corpus[DOC_ID].astype(str).to_numpy()
doc_texts = corpus[DOC_TEXT].fillna("").astype(str).tolist()
gains = ${gains}
relevant: dict[str, dict[str, float]] = {}  # judged query -> {relevant item: gain}
for query, doc, gain in zip(judgements[JUDGED_QUERY].astype(str), judgements[JUDGED_DOC].astype(str), gains):
    if gain > 0:
        relevant.setdefault(query, {})[doc] = float(gain)
to_rank = [query for query in query_text if query not in relevant]
print(f"{len(doc_ids)} items, {len(relevant)} judged queries, {len(to_rank)} queries to rank")''')

RANK = Template('''scores = final_scores(to_rank)
rows = []
for query, row, positions in zip(to_rank, scores, top_positions(scores)):
    rows += [{JUDGED_QUERY: query, JUDGED_DOC: doc_ids[i], "rank": rank, "score": float(row[i])}
             for rank, i in enumerate(positions, start=1)]
submission = pd.DataFrame(rows, columns=[JUDGED_QUERY, JUDGED_DOC, "rank", "score"])
${write}
print(f"top {DEPTH} items ranked for {len(to_rank)} queries")''')

VALIDATION = {
    "bm25": "On every judged query: BM25 learns nothing from the judgements.",
    "embeddings": "On every judged query: the pretrained embeddings learn nothing from the judgements.",
    "fused": "On the half of the judged queries not used to tune the mixing weight.",
}


def embedding_model(context: CodingContext) -> str | None:
    """The local sentence-embedding checkpoint, when sentence-transformers imports here and one is installed."""
    modules = context.environment.get("modules", {})
    if not modules.get("sentence_transformers", {}).get("importable"):
        return None
    found = local_checkpoint(context.environment, "text", context.checkpoint)
    return found["path"] if found else None


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole retrieval script."""
    task = context.task
    layout = task.retrieval
    settings = _settings(context, plan, task)
    tools = {"bm25": "BM25 (rank-bm25) over lower-case words",
             "embeddings": f"sentence embeddings (sentence-transformers, {settings.get('EMBEDDING_MODEL')}), cosine "
                           "similarity",
             "fused": "BM25 and sentence embeddings, standardised per query and mixed with a weight tuned on judged "
                      "queries"}
    modules = ["re", "from rank_bm25 import BM25Okapi"] if plan.ranker != "embeddings" else []
    if plan.ranker != "bm25":
        modules.append("from sentence_transformers import SentenceTransformer")
    rankers = {"bm25": [BM25], "embeddings": [EMBEDDINGS], "fused": [BM25, EMBEDDINGS, STANDARDISED]}[plan.ranker]
    function = "bm25_scores" if plan.ranker == "bm25" else "embedding_scores"
    gains = ("pd.to_numeric(judgements[RELEVANCE], errors=\"coerce\").fillna(0).to_numpy()" if layout.relevance_column
             else "np.ones(len(judgements))  # no relevance column: every judged item is relevant")
    return assemble(context, plan, summary, Script(
        title=f"Rank the items of {layout.corpus_file} for the queries of {layout.queries_file} that "
              f"{layout.judgements_file} does not judge.",
        tool=tools[plan.ranker],
        validation=VALIDATION[plan.ranker],
        imports=modules,
        settings=settings,
        comments={"DEPTH": "items ranked per query (the metric reads the top 10)",
                  "WEIGHTS": "weights of BM25 in the mix tried on the tuning queries"},
        helpers=HELPERS,
        load=_load(task, plan),
        prepare=RELEVANT.substitute(gains=gains),
        fit="# The rankers: a score for every (query, item).\n" + "\n\n\n".join(rankers),
        evaluate="# Scored on judged queries.\n" + (
            FUSED if plan.ranker == "fused" else UNFITTED.format(function=function, ranker=plan.ranker)),
        predict=RANK.substitute(write=write_line("submission", None)),
    ))


def _settings(context: CodingContext, plan: Plan, task: TaskSpec) -> dict[str, Any]:
    layout = task.retrieval
    values: dict[str, Any] = {
        "QUERIES_FILE": file_constant(part_info(task, layout.queries_file)),
        "CORPUS_FILE": file_constant(part_info(task, layout.corpus_file)),
        "JUDGEMENTS_FILE": file_constant(part_info(task, layout.judgements_file)),
        "QUERY_ID": layout.query_id_column, "QUERY_TEXT": layout.query_text_column,
        "DOC_ID": layout.doc_id_column, "DOC_TEXT": layout.doc_text_column,
        "JUDGED_QUERY": layout.judged_query_column, "JUDGED_DOC": layout.judged_doc_column,
        "RELEVANCE": layout.relevance_column,
        "METRIC": metric_name(task, "ndcg"), "HIGHER_IS_BETTER": True, "DEPTH": RANKING_DEPTH}
    if plan.ranker != "bm25":
        values["EMBEDDING_MODEL"] = Raw(f"Path({literal(embedding_model(context))})")
    if plan.ranker == "fused":
        values["WEIGHTS"] = WEIGHTS
    values["MODEL_DIR"] = "model"
    return values


def _load(task: TaskSpec, plan: Plan) -> str:
    layout = task.retrieval
    return "\n".join(read_lines(name, constant, part_info(task, key), plan) for name, constant, key in (
        ("queries", "QUERIES_FILE", layout.queries_file), ("corpus", "CORPUS_FILE", layout.corpus_file),
        ("judgements", "JUDGEMENTS_FILE", layout.judgements_file)))


FAMILY = Family("retrieval", lambda task: task.problem_type.value == ProblemType.RETRIEVAL, build,
                (candidates.BM25, candidates.EMBEDDINGS, candidates.FUSED), model="{plan.ranker} ranking",
                names_presets=False)
