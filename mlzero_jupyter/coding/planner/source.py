"""Small helpers that write Python source: constants, and the lines that read and write tables.

The reading lines mirror ``mlzero_jupyter.perception.tables.read_table``: same formats, delimiter, encoding and
missing-value markers, so the generated script sees the data exactly as perception did.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from mlzero_jupyter.coding.contract import PREDICTION_EXTENSIONS, PREDICTIONS_STEM
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.perception.spec import FileInfo, TaskSpec

TEXT_FORMATS = {"csv", "tsv", "txt"}


class Raw(str):
    """Source text inserted as it is (``DATA_DIR / "train.csv"``), not as a literal."""


def literal(value: Any) -> str:
    """A readable Python literal for a constant, with double-quoted strings."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


def constants(values: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """``NAME = value  # comment`` lines; values that are None are left out."""
    comments = comments or {}
    lines = []
    for name, value in values.items():
        if value is None:
            continue
        line = f"{name} = {literal(value)}"
        if name in comments:
            line += f"  # {comments[name]}"
        lines.append(line)
    return "\n".join(lines)


def file_constant(info: FileInfo) -> Raw:
    """``DATA_DIR / "sub/file.csv"`` for a file of the task."""
    return Raw(f"DATA_DIR / {literal(info.path)}")


def read_lines(variable: str, path_constant: str, info: FileInfo, plan: Plan) -> str:
    """Lines that load the table ``info`` describes into ``variable`` (imports: pandas as pd, numpy, sqlite3)."""
    markers = info.missing_markers
    if info.format in TEXT_FORMATS:
        options = []
        if (info.delimiter or ",") != ",":
            options.append(f"sep={literal(info.delimiter)}")
        encoding = plan.encoding_fallback or info.encoding or "utf-8"
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            options.append(f"encoding={literal(encoding)}")
        if plan.encoding_fallback:
            options.append('encoding_errors="replace"')
        if markers:
            options.append(f"na_values={literal(markers)}")
        options.append('on_bad_lines="skip", engine="python"' if plan.skip_bad_lines else "low_memory=False")
        return f"{variable} = pd.read_csv({path_constant}, {', '.join(options)})"
    if info.format == "sqlite":
        return (f'with sqlite3.connect(f"file:{{{path_constant}}}?mode=ro", uri=True) as connection:\n'
                f"    {variable} = pd.read_sql_query({literal(_sql(info.table))}, connection)" + _replace(variable, markers))
    if info.format == "excel":
        sheet = literal(info.table) if info.table else "0"
        na = f", na_values={literal(markers)}" if markers else ""
        return f"{variable} = pd.read_excel({path_constant}, sheet_name={sheet}{na})"
    if info.format in ("json", "jsonl"):
        lines = ", lines=True" if info.format == "jsonl" else ""
        return f"{variable} = pd.read_json({path_constant}{lines})" + _replace(variable, markers)
    if info.format in ("parquet", "feather"):
        return f"{variable} = pd.read_{info.format}({path_constant})" + _replace(variable, markers)
    raise ValueError(f"{info.path} is a {info.format}, not a table the planner can read")


def task_table_lines(task: TaskSpec, plan: Plan, train: str = "train") -> list[str]:
    """Lines that load the task's training table (into ``train``), its test table and its sample submission."""
    lines = [read_lines(train, "TRAIN_FILE", task.train_file, plan)]
    for name, constant, info in (("test", "TEST_FILE", task.test_file),
                                 ("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file)):
        if info is not None:
            lines.append(read_lines(name, constant, info, plan))
    return lines


def reader_modules(files: list[FileInfo]) -> list[str]:
    """The modules ``read_lines`` needs beyond pandas and numpy, for any script that may read these files."""
    return ["sqlite3"] if any(f.format == "sqlite" for f in files) else []


def _sql(table: str | None) -> str:
    return f'SELECT * FROM "{table}"'


def _replace(variable: str, markers: list[str]) -> str:
    return f"\n{variable} = {variable}.replace({literal(markers)}, np.nan)" if markers else ""


def prediction_file(sample: FileInfo | None) -> str:
    """``predictions.<ext>``: the sample submission's file type, else CSV."""
    if sample is None:
        return f"{PREDICTIONS_STEM}.csv"
    suffix = PurePosixPath(sample.path).suffix.lower() or PREDICTION_EXTENSIONS.get(sample.format, ".csv")
    if sample.format not in PREDICTION_EXTENSIONS:
        suffix = ".csv"
    return PREDICTIONS_STEM + suffix


def write_line(variable: str, sample: FileInfo | None) -> str:
    """The line that saves ``variable`` as the predictions file, in the sample submission's format."""
    name = prediction_file(sample)
    fmt = sample.format if sample is not None and sample.format in PREDICTION_EXTENSIONS else "csv"
    if fmt in TEXT_FORMATS:
        separator = (sample.delimiter if sample is not None else None) or ("\t" if fmt == "tsv" else ",")
        sep = f", sep={literal(separator)}" if separator != "," else ""
        return f"{variable}.to_csv({literal(name)}, index=False{sep})"
    if fmt == "excel":
        return f"{variable}.to_excel({literal(name)}, index=False)"
    if fmt in ("json", "jsonl"):
        lines = ", lines=True" if fmt == "jsonl" else ""
        return f'{variable}.to_json({literal(name)}, orient="records"{lines})'
    return f"{variable}.to_{fmt}({literal(name)}" + (", index=False)" if fmt == "parquet" else ")")


THIRD_PARTY = ("numpy", "pandas", "autogluon", "PIL", "sklearn", "scipy", "joblib", "rank_bm25", "sentence_transformers")


def imports(*items: str) -> str:
    """The import block from module names or statements: standard library first, then third-party, sorted."""
    statements = sorted({_statement(item) for item in items}, key=lambda s: (s.startswith("from"), s))
    third = [s for s in statements if s.split()[1].startswith(THIRD_PARTY)]
    standard = [s for s in statements if s not in third]
    return "\n".join(standard + ([""] if standard and third else []) + third)


def _statement(item: str) -> str:
    aliases = {"numpy": "import numpy as np", "pandas": "import pandas as pd"}
    if item in aliases:
        return aliases[item]
    return item if item.startswith(("from ", "import ")) else f"import {item}"
