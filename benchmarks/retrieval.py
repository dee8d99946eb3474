"""Retrieval speed: loading the knowledge base once, then retrieve() per query (target: < 50 ms per query).

Run: python benchmarks/retrieval.py
"""

from __future__ import annotations

import statistics
import time

from mlzero_jupyter.memory.knowledge import clear_knowledge_cache, load_knowledge
from mlzero_jupyter.memory.semantic import retrieve
from mlzero_jupyter.perception.spec import Inferred, TaskSpec

QUERIES = [
    (None, "predict churn from a customer table, roc_auc", None),
    (("forecasting", "time_series"), "forecast weekly sales with promotions as known covariates", "autogluon.timeseries"),
    (("multiclass", "text"), "classify support tickets by topic", "autogluon.tabular"),
    (("multiclass", "image"), "image classification of photos in class folders", "sklearn"),
    (("semantic_segmentation", "image"), "segment leaves in images, masks as png, mean iou", "sklearn"),
]
REPEATS = 50


def main() -> None:
    clear_knowledge_cache()
    started = time.perf_counter()
    knowledge = load_knowledge()
    retrieve(None, "warm up")  # builds the BM25 index
    print(f"load + index: {(time.perf_counter() - started) * 1000:.1f} ms "
          f"({len(knowledge.tools)} tools, {len(knowledge.snippets)} snippets)")
    timings = []
    for task_fields, query, tool in QUERIES:
        task = None
        if task_fields:
            task = TaskSpec("/data", "/data", problem_type=Inferred(task_fields[0], 1.0),
                            modality=Inferred(task_fields[1], 1.0))
        for _ in range(REPEATS):
            started = time.perf_counter()
            retrieve(task, query, budget_tokens=3000, tool=tool)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"retrieve: median {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms, "
          f"max {timings[-1]:.2f} ms over {len(timings)} calls (target < 50 ms)")


if __name__ == "__main__":
    main()
