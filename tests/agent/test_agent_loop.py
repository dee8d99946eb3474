"""The loop driven by a scripted coder with real execution: failures, repairs, kills, resume."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mlzero_jupyter.agent import Agent, RunOptions
from mlzero_jupyter.coding.base import Answer, CodingContext, LLMCall
from mlzero_jupyter.coding.scripted import ScriptedCoder
from mlzero_jupyter.events import Guidance, Unattended

GOOD = textwrap.dedent(
    """
    import json
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    DATA = {data!r}
    train = pd.read_csv(DATA + "/train.csv")
    test = pd.read_csv(DATA + "/test.csv")
    features = [c for c in test.columns if c != "flower_id"]
    fit, holdout = train_test_split(train, test_size=0.25, random_state=0, stratify=train["species"])
    model = LogisticRegression(max_iter=500).fit(fit[features], fit["species"])
    score = float((model.predict(holdout[features]) == holdout["species"]).mean())
    model.fit(train[features], train["species"])
    pd.DataFrame({{"flower_id": test["flower_id"], "species": model.predict(test[features])}}).to_csv(
        "predictions.csv", index=False)
    json.dump({{"metric": "accuracy", "validation_score": score, "higher_is_better": True,
               "validation": "accuracy on a 25% stratified holdout"}}, open("metrics.json", "w"))
    """
)
RAISES = "import pandas as pd\nframe = pd.DataFrame({'a': [1]})\nframe['no_such_column'].sum()\n"
WRONG_SHAPE = "import pandas as pd\npd.DataFrame({'flower_id': [1, 2], 'species': ['a', 'b']}).to_csv('predictions.csv', index=False)\n"
FOREVER = "import time\nwhile True:\n    time.sleep(0.1)\n"
EXIT = "import os\nos._exit(3)\n"
SEGFAULT = "import faulthandler\nfaulthandler._sigsegv()\n"


def good(data: Path) -> Callable[[CodingContext], str]:
    """The good script, reading the data folder the agent gives it (the referee's copy of ``data``)."""
    return lambda context: GOOD.format(data=str(context.task.work_path))


def run(data: Path, runs_dir: Path, scripts: list, **options) -> tuple:
    coder = ScriptedCoder(scripts)
    options = RunOptions(output_dir=str(runs_dir), **{"time_limit": 120, "max_iterations": 3, "quick": True, **options})
    agent = Agent(data, "Predict the species of each flower.", options, coder=coder)
    return agent.run(), coder, agent


def test_a_crash_is_repaired_and_the_next_attempt_sees_the_error(iris_folder, runs_dir, digest):
    before = digest(iris_folder)
    result, coder, _ = run(iris_folder, runs_dir, [RAISES, good(iris_folder)])
    assert result.status == "success"
    assert [a.status for a in result.attempts] == ["failed", "success"]
    assert "KeyError" in coder.contexts[1].last_error
    assert "no_such_column" in coder.contexts[1].history
    assert 0.5 < result.validation_score <= 1.0
    assert Path(result.predictions_path).parent == Path(result.run_dir)
    assert Path(result.solution_path).read_text() == GOOD.format(data=str(iris_folder))  # the user's own files
    assert digest(iris_folder) == before


class AnalysingCoder(ScriptedCoder):
    """A scripted coder that also takes the tool-ranking and failure-analysis roles, each call costing tokens."""

    def rank_tools(self, task, choices, record_dir=None):
        return Answer(list(choices), [LLMCall("tool_ranking", "m", input_tokens=100, output_tokens=1)])

    def analyse_failure(self, context, error):
        return Answer(f"{error.splitlines()[-1]}: use an existing column", [LLMCall("error_analysis", "m", 20, 2)])


def test_the_roles_a_coder_declares_are_used_and_their_calls_counted(iris_folder, runs_dir):
    coder = AnalysingCoder([RAISES, good(iris_folder)])
    options = RunOptions(output_dir=str(runs_dir), time_limit=120, max_iterations=2, quick=True)
    result = Agent(iris_folder, "Predict the species of each flower.", options, coder=coder).run()
    failed, valid = result.attempts
    assert "no_such_column" in failed.analysis and "use an existing column" in coder.contexts[1].history
    assert (failed.input_tokens, failed.output_tokens) == (120, 3)  # ranking (before attempt 1) and its analysis
    assert (valid.input_tokens, valid.analysis) == (0, "")
    assert (result.input_tokens, result.output_tokens) == (120, 3)


def test_a_wrong_shaped_submission_fails_validation_with_a_message(iris_folder, runs_dir):
    result, coder, _ = run(iris_folder, runs_dir, [WRONG_SHAPE, good(iris_folder)])
    assert result.status == "success"
    first = result.attempts[0]
    assert first.status == "failed" and "rows" in first.error
    assert first.error in coder.contexts[1].last_error


def test_code_that_never_ends_is_killed_at_the_budget(iris_folder, runs_dir):
    result, _, _ = run(iris_folder, runs_dir, [FOREVER], time_limit=15, max_iterations=1)
    assert result.status == "failed"
    assert result.attempts[0].status == "timeout"
    assert result.total_s < 25
    assert os.getpid()  # this process, the agent's host, is alive and well


@pytest.mark.parametrize("script, words", [(EXIT, "3"), (SEGFAULT, "SIGSEGV")])
def test_an_interpreter_crash_is_a_failed_attempt(iris_folder, runs_dir, script, words):
    result, coder, _ = run(iris_folder, runs_dir, [script, good(iris_folder)])
    assert [a.status for a in result.attempts] == ["failed", "success"]
    assert words in result.attempts[0].error


def test_every_attempt_leaves_its_files_and_the_run_its_records(iris_folder, runs_dir):
    result, _, _ = run(iris_folder, runs_dir, [RAISES, good(iris_folder)])
    run_dir = Path(result.run_dir)
    for name in ("task.json", "events.jsonl", "result.json", "solution.py", "predictions.csv"):
        assert (run_dir / name).is_file(), name
    for number in (1, 2):
        assert {"solution.py", "stdout.txt", "stderr.txt"} <= {p.name for p in (run_dir / f"attempt_{number}").iterdir()}
    kinds = [json.loads(line)["kind"] for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert kinds.count("attempt_finished") == 2
    stored = json.loads((run_dir / "result.json").read_text())
    assert stored["status"] == "success" and stored["best_attempt"] == 2


def test_runs_never_share_a_folder(iris_folder, runs_dir):
    first, _, _ = run(iris_folder, runs_dir, [good(iris_folder)])
    second, _, _ = run(iris_folder, runs_dir, [good(iris_folder)])
    assert first.run_dir != second.run_dir
    assert len(list(runs_dir.iterdir())) == 2


class StopAfterFirst(Unattended):
    def between_attempts(self, record):
        return Guidance(text="try logistic regression", stop=True)


def test_a_stopped_run_resumes_with_its_memory(iris_folder, runs_dir):
    options = RunOptions(output_dir=str(runs_dir), time_limit=120, max_iterations=3, quick=True)
    agent = Agent(iris_folder, "Predict the species.", options, coder=ScriptedCoder([RAISES]),
                  controller=StopAfterFirst())
    stopped = agent.run()
    assert stopped.status == "stopped"

    coder = ScriptedCoder([good(iris_folder)])
    events: list = []
    resumed = Agent.resume(stopped.run_dir, guidance="keep it simple", coder=coder, observers=[events.append]).run()
    assert resumed.status == "success"
    assert events[0].kind == "run_started" and events[0].data["first_attempt"] == 2  # what a display numbers from
    assert [e.attempt for e in events if e.kind == "attempt_validating"] == [2]
    assert [a.number for a in resumed.attempts] == [1, 2]
    assert coder.contexts[0].guidance == ["try logistic regression", "keep it simple"]
    assert "KeyError" in coder.contexts[0].last_error


def test_resume_survives_a_torn_event_line(iris_folder, runs_dir):
    stopped, _, _ = run(iris_folder, runs_dir, [RAISES], max_iterations=1)
    with open(Path(stopped.run_dir) / "events.jsonl", "a") as handle:
        handle.write('{"kind": "attempt_sta')  # the kernel died mid-write
    resumed = Agent.resume(stopped.run_dir, coder=ScriptedCoder([good(iris_folder)])).run()
    assert resumed.status == "success"


def test_a_run_folder_inside_the_data_folder_is_not_an_input_change(iris_folder, digest):
    before = digest(iris_folder)
    result, _, _ = run(iris_folder, iris_folder / "mlzero-runs", [good(iris_folder)])
    assert result.status == "success"
    after = {k: v for k, v in digest(iris_folder).items() if not k.startswith("mlzero-runs")}
    assert after == before


def test_code_that_deletes_input_files_is_blocked_before_it_runs(iris_folder, runs_dir, digest):
    before = digest(iris_folder)
    attack = f"import shutil\nshutil.rmtree({str(iris_folder)!r})\n"
    result, _, _ = run(iris_folder, runs_dir, [attack, good(iris_folder)])
    assert [a.status for a in result.attempts] == ["blocked", "success"]
    assert "input" in result.attempts[0].error
    assert digest(iris_folder) == before
