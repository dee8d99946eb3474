"""Prompt sizes of the LLM coder per call, against the prompt budget (12,000 tokens by default).

Builds the prompts of a few hand-made tasks (tabular with many columns, time series, text, multi-table) with
the knowledge the knowledge base really retrieves, a realistic history of failed attempts, the last error,
the previous code and guidance, then prints the estimated tokens of each call. No LLM is contacted.

    python benchmarks/prompts.py [--budget 12000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.prompts import (
    ANALYSIS_SYSTEM,
    REFINE_SYSTEM,
    analysis_prompt,
    code_prompt,
    estimate_tokens,
    refine_prompt,
)
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo, Inferred, JoinKey, TaskSpec, TimeSeriesInfo

ERROR = """Traceback (most recent call last):
  File "solution.py", line 41, in <module>
    predictor.fit(train, time_limit=TIME_LIMIT, presets="medium_quality")
  File ".../autogluon/tabular/predictor/predictor.py", line 1170, in fit
    self._validate_fit_data(train_data=train_data, tuning_data=tuning_data)
ValueError: Column 'target' is missing from train_data; columns are: ['id', 'f0', 'f1', ...]"""


def columns(names: list[str], kind: str = "numeric") -> list[ColumnInfo]:
    return [ColumnInfo(n, "float64" if kind == "numeric" else "object", kind, 0.02, 100, ["a", "b"]) for n in names]


def tabular_task(root: str) -> TaskSpec:
    cols = [ColumnInfo("id", "int64", "id")] + columns([f"feature_{i}" for i in range(120)]) + \
        columns([f"category_{i}" for i in range(30)], "categorical") + [ColumnInfo("churn", "object", "categorical")]
    return TaskSpec(root, root, "predict which customers churn", [
        FileInfo("train.csv", "train", "csv", 2_000_000, rows=50_000, columns=cols),
        FileInfo("test.csv", "test", "csv", 500_000, rows=10_000, columns=cols[:-1]),
        FileInfo("sample_submission.csv", "sample_submission", "csv", rows=10_000, columns=[cols[0], cols[-1]])],
        Inferred("tabular", 1.0), Inferred("binary", 0.95), Inferred("churn", 0.9), Inferred("id", 0.95),
        Inferred("roc_auc", 0.7), True, warnings=["12 constant columns", "category_3 has 40% missing values"])


def forecasting_task(root: str) -> TaskSpec:
    cols = [ColumnInfo("store", "object", "id"), ColumnInfo("date", "object", "datetime", examples=["2020-01-01"]),
            ColumnInfo("sales", "float64", "numeric"), ColumnInfo("promo", "int64", "boolean")]
    return TaskSpec(root, root, "forecast daily sales for the next two weeks", [
        FileInfo("sales.csv", "train", "csv", rows=36_500, columns=cols),
        FileInfo("future_promos.csv", "test", "csv", rows=1_400, columns=[cols[0], cols[1], cols[3]])],
        Inferred("time_series", 1.0), Inferred("forecasting", 0.95), Inferred("sales", 0.95), Inferred(None),
        Inferred("mase", 0.9), False, TimeSeriesInfo("store", "date", "D", 14, "test file", ["promo"]))


def text_task(root: str) -> TaskSpec:
    cols = [ColumnInfo("review_id", "int64", "id"), ColumnInfo("title", "object", "text", examples=["Great"]),
            ColumnInfo("body", "object", "text", examples=["I loved this product because..."]),
            ColumnInfo("stars", "int64", "categorical")]
    return TaskSpec(root, root, "classify review ratings", [
        FileInfo("reviews.parquet", "train", "parquet", rows=20_000, columns=cols),
        FileInfo("new_reviews.parquet", "test", "parquet", rows=2_000, columns=cols[:-1])],
        Inferred("text", 0.9), Inferred("multiclass", 0.8), Inferred("stars", 0.55, ["title"]),
        Inferred("review_id", 0.9), Inferred("accuracy", 0.5, ["f1_macro"]), True)


def multi_table_task(root: str) -> TaskSpec:
    orders = [ColumnInfo("order_id", "int64", "id"), ColumnInfo("customer_id", "int64", "id")] + \
        columns([f"order_{n}" for n in ("amount", "items", "discount", "weekday", "hour")]) + \
        [ColumnInfo("returned", "bool", "boolean")]
    customers = [ColumnInfo("customer_id", "int64", "id")] + columns([f"customer_{i}" for i in range(25)])
    products = [ColumnInfo("order_id", "int64", "id")] + columns([f"product_{i}" for i in range(15)], "categorical")
    return TaskSpec(root, root, "predict whether an order is returned", [
        FileInfo("orders_train.csv", "train", "csv", rows=80_000, columns=orders),
        FileInfo("orders_test.csv", "test", "csv", rows=20_000, columns=orders[:-1]),
        FileInfo("customers.xlsx", "auxiliary", "excel", rows=9_000, columns=customers, table="Sheet1"),
        FileInfo("products.sqlite", "auxiliary", "sqlite", rows=100_000, columns=products, table="lines"),
        FileInfo("README.txt", "description", "text", role_confidence=0.5)],
        Inferred("tabular", 1.0), Inferred("binary", 0.9), Inferred("returned", 0.9), Inferred("order_id", 0.9),
        Inferred("f1", 0.6), True,
        join_keys=[JoinKey("orders_train.csv", "customers.xlsx", "customer_id"),
                   JoinKey("orders_train.csv", "products.sqlite", "order_id")])


TASKS = {"tabular (152 columns)": tabular_task, "forecasting": forecasting_task, "text": text_task,
         "multi-table (4 tables)": multi_table_task}
TOOLS = {"forecasting": "autogluon.timeseries"}


def knowledge_for(task: TaskSpec, tool: str) -> list[str]:
    """What the knowledge base retrieves for the task, as the agent asks for it (3,000 tokens)."""
    from mlzero_jupyter.memory.semantic import retrieve

    query = " ".join(filter(None, [task.description, task.problem_type.value, task.modality.value]))
    return [s.text for s in retrieve(task, query, budget_tokens=3000, tool=tool)]


def history(attempts: int) -> str:
    lines = []
    for n in range(1, attempts + 1):
        lines += [f"Attempt {n}: medium_quality presets, all features -> failed",
                  *("    " + line for line in ERROR.splitlines()[-4:]),
                  f"    Analysis: the label column is called differently in attempt {n}; read it from the "
                  "task and check the columns before fitting."]
    return "\n".join(lines)


def measure(name: str, task: TaskSpec, budget: int, folder: Path) -> list[tuple[str, int]]:
    tool = TOOLS.get(name, "autogluon.tabular")
    knowledge = knowledge_for(task, tool)
    previous = "import pandas as pd\nfrom autogluon.tabular import TabularPredictor\n" + "x = 1\n" * 120
    first = CodingContext(task, tool, 1, folder, 540.0, knowledge=knowledge)
    later = CodingContext(task, tool, 4, folder, 300.0, knowledge=knowledge, history=history(3), last_error=ERROR,
                          previous_code=previous, guidance=["use only the last two years of data", "be quick"])
    sizes = [("code, attempt 1", code_prompt(first, budget).tokens),
             ("code, attempt 4 (3 failures)", code_prompt(later, budget).tokens),
             ("error analysis", estimate_tokens(ANALYSIS_SYSTEM) + estimate_tokens(
                 analysis_prompt(later, previous, ERROR)))]
    questions = {"target": "the column to predict", "metric": "the metric"}
    sizes.append(("perception refinement", estimate_tokens(REFINE_SYSTEM) + estimate_tokens(
        refine_prompt(task, questions))))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=12000)
    args = parser.parse_args()
    print(f"prompt budget: {args.budget:,} tokens (estimate: characters / 4)\n")
    print(f"{'task':<26}{'call':<32}{'tokens':>8}  {'of budget':>9}")
    worst = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in TASKS.items():
            task = build(str(Path(scratch) / "data"))
            for call, tokens in measure(name, task, args.budget, Path(scratch)):
                worst = max(worst, tokens)
                flag = "" if tokens <= args.budget else "  OVER"
                print(f"{name:<26}{call:<32}{tokens:>8,}  {tokens / args.budget:>8.0%}{flag}")
    print(f"\nlargest prompt: {worst:,} tokens ({'within' if worst <= args.budget else 'OVER'} the budget)")


if __name__ == "__main__":
    main()
