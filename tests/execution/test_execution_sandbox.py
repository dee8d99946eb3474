"""The sandbox with real work in it: a small AutoGluon fit under bubblewrap reads its data read-only, writes its
models in the attempt folder, and nothing else of the run folder shows."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from mlzero_jupyter.execution import execute
from mlzero_jupyter.execution.sandbox import isolation

pytestmark = pytest.mark.skipif(isolation().kind != "bubblewrap", reason="bubblewrap is not available here")


def test_a_small_autogluon_fit_runs_inside_bubblewrap(tmp_path: Path) -> None:
    from sklearn.datasets import load_iris

    data = tmp_path / "data"
    data.mkdir()
    load_iris(as_frame=True).frame.to_csv(data / "train.csv", index=False)
    run = tmp_path / "runs" / "run1"
    attempt = run / "attempt_1"
    attempt.mkdir(parents=True)
    (run / "answers.csv").write_text("held out\n")
    script = attempt / "solution.py"
    script.write_text(textwrap.dedent(f"""
        import json, os
        import pandas as pd
        from autogluon.tabular import TabularPredictor

        train = pd.read_csv({str(data / "train.csv")!r})
        predictor = TabularPredictor(label="target", path="models", verbosity=0).fit(
            train, time_limit=30, hyperparameters={{"GBM": {{}}}})
        json.dump({{"score": float(predictor.leaderboard(silent=True)["score_val"].max()),
                   "run_folder": sorted(os.listdir("..")), "home": os.path.expanduser("~")}}, open("out.json", "w"))
    """))
    result = execute(script, cwd=attempt, timeout=240, readable=[data])
    assert result.ok, result.stderr_tail[-2000:]
    assert result.isolation == "bubblewrap"
    out = json.loads((attempt / "out.json").read_text())
    assert out["score"] > 0.8
    assert out["run_folder"] == ["attempt_1"] and out["home"] != str(Path.home())
    assert (attempt / "models" / "predictor.pkl").exists()
    assert sorted(p.name for p in data.iterdir()) == ["train.csv"]


def test_a_run_folder_inside_the_data_folder_shows_only_the_attempt(tmp_path: Path) -> None:
    data = tmp_path / "data"
    other_run = data / "mlzero-runs" / "run0"
    attempt = data / "mlzero-runs" / "run1" / "attempt_1"
    other_run.mkdir(parents=True)
    attempt.mkdir(parents=True)
    (data / "train.csv").write_text("a,b\n1,2\n")
    (other_run / "answers.csv").write_text("held out\n")
    script = attempt / "solution.py"
    script.write_text(f"import json, os\njson.dump({{'data': sorted(os.listdir({str(data)!r})), "
                      f"'runs': sorted(os.listdir({str(data / 'mlzero-runs')!r}))}}, open('seen.json', 'w'))\n")
    result = execute(script, cwd=attempt, timeout=30, readable=[data])
    assert result.ok, result.stderr_tail
    assert json.loads((attempt / "seen.json").read_text()) == {"data": ["mlzero-runs", "train.csv"], "runs": ["run1"]}
