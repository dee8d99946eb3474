"""Fixtures for the notebook tests: a real solution script, run folders made from it on the iris data of
``iris_dir`` (tests/conftest.py), and a real kernel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mlzero_jupyter.memory.episodic import AttemptRecord
from mlzero_jupyter.perception.spec import FileInfo, Inferred, TaskSpec
from mlzero_jupyter.result import RunResult

#: A real solution in the planner's layout (section comments), fast and deterministic; it writes every file
#: the contract names, leaderboard and feature importance included.
SOLUTION = textwrap.dedent(
    '''
    """Iris species with a logistic regression."""
    import json
    from pathlib import Path

    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    DATA_DIR = Path({data!r})
    SEED = 0

    # -- load data ------------------------------------------------------------------------------------------
    train = pd.read_csv(DATA_DIR / "train.csv")
    test = pd.read_csv(DATA_DIR / "test.csv")

    # -- prepare --------------------------------------------------------------------------------------------
    features = [c for c in test.columns if c != "flower_id"]

    # -- train ----------------------------------------------------------------------------------------------
    fit, holdout = train_test_split(train, test_size=0.25, random_state=SEED, stratify=train["species"])
    model = LogisticRegression(max_iter=500).fit(fit[features], fit["species"])

    # -- evaluate -------------------------------------------------------------------------------------------
    score = float((model.predict(holdout[features]) == holdout["species"]).mean())
    pd.DataFrame({{"model": ["LogisticRegression"], "score_val": [score]}}).to_csv("leaderboard.csv", index=False)
    weights = abs(model.coef_).sum(axis=0)
    pd.DataFrame({{"feature": features, "importance": weights}}).to_csv("feature_importance.csv", index=False)
    json.dump({{"metric": "accuracy", "validation_score": score, "higher_is_better": True,
               "validation": "accuracy on a 25% stratified holdout"}}, open("metrics.json", "w"))
    print(f"accuracy {{score:.4f}}")

    # -- predict and save -----------------------------------------------------------------------------------
    model.fit(train[features], train["species"])
    pd.DataFrame({{"flower_id": test["flower_id"], "species": model.predict(test[features])}}).to_csv(
        "predictions.csv", index=False)
    '''
)

FAILING = "import pandas as pd\nprint('reading')\npd.DataFrame({'a': [1]})['missing']\n"


def solution(data: Path) -> str:
    return SOLUTION.format(data=str(data))


@pytest.fixture
def solution_code():
    """A function: data folder -> the code of a valid attempt."""
    return solution


@pytest.fixture
def failing_code() -> str:
    return FAILING


def _run_script(attempt_dir: Path, code: str) -> subprocess.CompletedProcess:
    attempt_dir.mkdir(parents=True)
    (attempt_dir / "solution.py").write_text(code)
    done = subprocess.run([sys.executable, "solution.py"], cwd=attempt_dir, capture_output=True, text=True)
    (attempt_dir / "stdout.txt").write_text(done.stdout)
    (attempt_dir / "stderr.txt").write_text(done.stderr)
    return done


@pytest.fixture
def finished_run(tmp_path: Path, iris_dir: Path) -> Path:
    """A run folder as the agent leaves it: attempt 1 failed, attempt 2 valid and published."""
    run_dir = tmp_path / "runs" / "20260101-iris-abc123"
    failed = _run_script(run_dir / "attempt_1", FAILING)
    assert failed.returncode != 0
    good = _run_script(run_dir / "attempt_2", solution(iris_dir))
    assert good.returncode == 0, good.stderr
    score = json.loads((run_dir / "attempt_2" / "metrics.json").read_text())["validation_score"]
    shutil.copyfile(run_dir / "attempt_2" / "solution.py", run_dir / "solution.py")
    shutil.copyfile(run_dir / "attempt_2" / "predictions.csv", run_dir / "predictions.csv")
    task = TaskSpec(str(iris_dir), str(iris_dir), "Predict the species of each flower.",
                    files=[FileInfo("train.csv", "train", "csv", rows=120),
                           FileInfo("test.csv", "test", "csv", rows=30)],
                    problem_type=Inferred("multiclass", 0.9), target=Inferred("species", 0.95),
                    metric=Inferred("accuracy", 0.8))
    (run_dir / "task.json").write_text(task.to_json())
    (run_dir / "events.jsonl").write_text("")
    attempts = [AttemptRecord(1, "failed", summary="first try", error="KeyError: 'missing'"),
                AttemptRecord(2, "success", summary="logistic regression", score=score, metric="accuracy",
                              validation="accuracy on a 25% stratified holdout",
                              predictions="attempt_2/predictions.csv")]
    result = RunResult(run_id=run_dir.name, run_dir=str(run_dir), status="success", task=task.description,
                       tool="scikit-learn", metric="accuracy", validation_score=score, best_attempt=2,
                       validation=attempts[1].validation, predictions_path=str(run_dir / "predictions.csv"),
                       solution_path=str(run_dir / "solution.py"), attempts=attempts)
    (run_dir / "result.json").write_text(json.dumps(result.to_dict(), default=str))
    return run_dir


class KernelSession:
    """A real kernel driven the way JupyterLab drives it, with a scriptable frontend for the ``mlzero`` comm.

    ``execute`` sends an execute_request (with a ``cellId`` in its metadata) and reads IOPub until the kernel is
    idle again, passing every comm message to ``frontend(session, message)``; the frontend answers with
    ``reply``, on the main shell or on a subshell.
    """

    def __init__(self, cwd: Path) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(cwd), env={**os.environ, "HF_HUB_OFFLINE": "1"})
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.comms: list[dict] = []  # data of every comm_open and comm_msg, in order
        self.outputs: list[dict] = []
        self.subshell_id: str | None = None

    def create_subshell(self) -> str:
        request = self.client.session.msg("create_subshell_request", {})
        self.client.control_channel.send(request)
        reply = self.client.control_channel.get_msg(timeout=10)
        self.subshell_id = reply["content"]["subshell_id"]
        return self.subshell_id

    def reply(self, comm_id: str, data: dict, on_subshell: bool = False) -> None:
        message = self.client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        if on_subshell:
            message["header"]["subshell_id"] = self.subshell_id
        self.client.shell_channel.send(message)

    def execute(self, code: str, cell_id: str = "cell-1", frontend=None, allow_stdin: bool = True,
                timeout: float = 240) -> dict:
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": allow_stdin, "stop_on_error": True}
        request = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.client.shell_channel.send(request)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") != request["header"]["msg_id"]:
                continue
            kind = message["msg_type"]
            if kind in ("comm_open", "comm_msg"):
                self.comms.append({"kind": kind, "comm_id": message["content"]["comm_id"],
                                   "target": message["content"].get("target_name"), **message["content"]["data"]})
                if frontend is not None:
                    frontend(self, message)
            elif kind in ("stream", "display_data", "execute_result", "error", "update_display_data"):
                self.outputs.append({"type": kind, **message["content"]})
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                return self._reply_for(request)
        raise TimeoutError(f"the kernel did not finish within {timeout} s")

    def _reply_for(self, request: dict) -> dict:
        while True:
            reply = self.client.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                return reply["content"]

    def text(self) -> str:
        """Everything the cells showed as text."""
        parts = []
        for output in self.outputs:
            parts.append(output.get("text") or (output.get("data") or {}).get("text/plain", ""))
            parts.extend(output.get("traceback", []))
        return "\n".join(parts)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path: Path):
    session = KernelSession(tmp_path)
    yield session
    session.close()
