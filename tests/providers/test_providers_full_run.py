"""A whole run through `mlzero run --provider openai --base-url ...` against a local OpenAI-compatible server.

The "model" first writes code that fails, is asked for an error analysis, then (with the error lines and the
analysis in its prompt) writes code that works; the code really runs and the referee scores it. The search then
expands the best node: the model is shown that attempt's code and held-out score and writes an improvement.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures_data import make_iris
from providers_wire import Reply, openai_completion

from mlzero_jupyter.cli import main
from mlzero_jupyter.coding.prompts import ANALYSIS_SYSTEM, RANK_SYSTEM

pytestmark = pytest.mark.fit

ANALYSIS = "The script reads a column petal_area that the data does not have; use the four measured columns."
TOKENS_IN, TOKENS_OUT = 1500, 400

BROKEN = """import pandas as pd
train = pd.read_csv({train!r})
print(train["petal_area"].mean())
"""

FIXED = """import json
import pandas as pd
from autogluon.tabular import TabularPredictor

train = pd.read_csv({train!r}).drop(columns=["flower_id"])
test = pd.read_csv({test!r})
submission = pd.read_csv({sample!r})
predictor = TabularPredictor(label="species", eval_metric={metric!r}, path="model", verbosity=1).fit(
    train, time_limit=30, hyperparameters={{"RF": {{"n_estimators": {trees}}}}}, holdout_frac=0.25)
score = float(predictor.leaderboard(silent=True)["score_val"].max())
submission["species"] = predictor.predict(test.drop(columns=["flower_id"])).values
submission.to_csv("predictions.csv", index=False)
with open("metrics.json", "w") as handle:
    json.dump({{"metric": {metric!r}, "validation_score": score, "higher_is_better": True,
               "validation": "AutoGluon holdout, 25% of train", "model_path": "model"}}, handle)
"""


def fake_model(request: dict) -> Reply:
    """Answers like a coding model would: from what the prompt says (file paths, metric, earlier errors)."""
    system, user = (m["content"] for m in request["json"]["messages"])
    if system == ANALYSIS_SYSTEM:
        return Reply(body=openai_completion(ANALYSIS, TOKENS_IN, TOKENS_OUT))
    if system == RANK_SYSTEM:  # the agent asks which of the importable tools fits best
        return Reply(body=openai_completion("autogluon.tabular\nsklearn", TOKENS_IN, TOKENS_OUT))
    paths = {name: re.search(rf"- (\S+{name}\.csv) \[", user).group(1) for name in ("train", "test",
                                                                                    "sample_submission")}
    metric = re.search(r"Metric: `(\w+)`", user).group(1)
    if "petal_area" not in user:  # the first attempt: nothing learned yet
        code, summary = BROKEN.format(train=paths["train"]), "Explore the mean petal area first."
    else:
        trees = 60 if "## Improve attempt" in user else 30
        code = FIXED.format(train=paths["train"], test=paths["test"], sample=paths["sample_submission"],
                            metric=metric, trees=trees)
        summary = f"Train a random forest of {trees} trees on the measured columns."
    return Reply(body=openai_completion(f"{summary}\n```python\n{code}```", TOKENS_IN, TOKENS_OUT))


@pytest.fixture
def iris(tmp_path: Path) -> Path:
    """Iris with tidy column names (``sepal_length``), its own test split and a sample submission."""
    return make_iris(tmp_path / "iris", tidy_names=True, seed=1)


def test_the_tree_search_repairs_a_broken_node_then_improves_the_best(server, no_provider_env, iris, tmp_path,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter"))
    server.responder = fake_model
    code = main(["run", str(iris), "predict the iris species", "--provider", "openai", "--base-url",
                 server.url + "/v1", "--model", "any-name", "--time-limit", "4m", "--max-iterations", "3",
                 "--no-quick", "--output", str(tmp_path / "runs")])
    assert code == 0, capsys.readouterr()
    [run_dir] = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    result = json.loads((run_dir / "result.json").read_text())
    assert result["status"] == "success"
    first, second, third = result["attempts"]
    assert first["status"] != "success" and "petal_area" in first["error"] and "KeyError" in first["error"]
    assert first["analysis"] == ANALYSIS
    assert [a["candidate"] for a in result["attempts"]] == ["draft", "debug:1", "improve:2"]
    assert second["status"] == third["status"] == "success"
    assert result["best_attempt"] == (3 if third["score"] > second["score"] else 2)

    systems = [r["json"]["messages"][0]["content"] for r in server.requests]
    assert systems.count(RANK_SYSTEM) == 1 and systems.count(ANALYSIS_SYSTEM) == 1
    code_prompts = [r["json"]["messages"][1]["content"] for r in server.requests
                    if r["json"]["messages"][0]["content"] not in (ANALYSIS_SYSTEM, RANK_SYSTEM)]
    assert len(code_prompts) == 3
    assert "KeyError" not in code_prompts[0]
    assert "KeyError: 'petal_area'" in code_prompts[1]  # the essential error lines of attempt 1
    assert ANALYSIS in code_prompts[1]
    assert "## Improve attempt 2" in code_prompts[2] and "hidden in the test set" in code_prompts[2]
    assert '"n_estimators": 30' in code_prompts[2]  # the best node's code, to change one thing
    assert all(len(p) // 4 < 12000 for p in code_prompts)

    calls = len(server.requests)  # one tool ranking, three code calls and one analysis
    assert calls == 5
    assert result["input_tokens"] == calls * TOKENS_IN and result["output_tokens"] == calls * TOKENS_OUT
    assert result["cost_usd"] == 0.0  # a local endpoint, no configured price
    assert result["provider"] == "openai" and result["model"] == "any-name"
    saved = sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*_*.md") if p.name[:5] in ("promp", "reply"))
    assert len(saved) == 10  # prompt and reply of each call, in the run and attempt folders
    assert len(pd.read_csv(result["predictions_path"])) == 30
