"""Expert baseline: cjk_topics (the conversation as one text column; AutoGluon's own text features)."""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, tabular

if __name__ == "__main__":
    folder, budget = arguments()
    train, test = (pd.read_csv(folder / f"{part}.csv", encoding="utf-8") for part in ("train", "test"))
    tabular(train, test, "topic", "conversation_id", "accuracy", budget)
