"""The LLM coder over the real openai SDK and a local OpenAI-compatible server."""

from __future__ import annotations

import pytest
from providers_wire import Reply, openai_completion

from mlzero_jupyter.coding.base import CodingContext, FailureAnalyst, TaskRefiner, ToolRanker
from mlzero_jupyter.coding.extract import extract_code
from mlzero_jupyter.coding.llm import LLMCoder, rank_tools, refine_task
from mlzero_jupyter.coding.offline import OfflinePlanner
from mlzero_jupyter.coding.prompts import estimate_tokens
from mlzero_jupyter.errors import ProviderError
from mlzero_jupyter.perception.spec import ColumnInfo, FileInfo, Inferred, TaskSpec
from mlzero_jupyter.providers.openai_compat import OpenAICompatProvider
from mlzero_jupyter.providers.retry import RetryPolicy

SCRIPT = "import pandas as pd\nprint('training')\n"


def house_task(tmp_path, target_confidence: float = 0.95) -> TaskSpec:
    columns = [ColumnInfo("house_id", "int64", "id", distinct_count=500), ColumnInfo("rooms", "int64", "numeric"),
               ColumnInfo("district", "object", "categorical", examples=["north", "south"]),
               ColumnInfo("price", "float64", "numeric"), ColumnInfo("list_price", "float64", "numeric")]
    return TaskSpec(
        data_path=str(tmp_path / "houses"), work_path=str(tmp_path / "houses"), description="predict house prices",
        files=[FileInfo("train.csv", "train", "csv", rows=500, columns=columns),
               FileInfo("test.csv", "test", "csv", rows=100, columns=columns[:3] + columns[4:]),
               FileInfo("extra.csv", "auxiliary", "csv", rows=20, role_confidence=0.4)],
        modality=Inferred("tabular", 1.0), problem_type=Inferred("regression", 0.9),
        target=Inferred("price", target_confidence, ["list_price"]), id_column=Inferred("house_id", 0.9),
        metric=Inferred("rmse", 0.9), higher_is_better=False, warnings=["3 duplicated rows in train.csv"])


def context(tmp_path, **fields) -> CodingContext:
    attempt_dir = tmp_path / "run" / "attempt_2"
    attempt_dir.mkdir(parents=True)
    values = dict(task=house_task(tmp_path), tool="autogluon.tabular", attempt=2, attempt_dir=attempt_dir,
                  time_limit=120.0, knowledge=["Use TabularPredictor(label=...).fit(train, time_limit=...)."],
                  history="Attempt 1: default presets -> failed\n    KeyError: 'sqft'",
                  last_error="Traceback (most recent call last):\nKeyError: 'sqft'",
                  previous_code="import pandas as pd\ndf['sqft']\n", guidance=["drop the list_price column"])
    values.update(fields)
    return CodingContext(**values)


@pytest.fixture
def coder(server, no_provider_env):
    provider = OpenAICompatProvider("local-coder", base_url=server.url + "/v1",
                                    retry=RetryPolicy(attempts=2, base_delay=0.01), timeout=5)
    return LLMCoder(provider)


def test_write_builds_the_prompt_and_saves_it(coder, server, tmp_path):
    server.script(Reply(body=openai_completion(f"Drop the bad column.\n```python\n{SCRIPT}```", 900, 80)))
    ctx = context(tmp_path)
    draft = coder.write(ctx)
    assert draft.code == SCRIPT
    assert draft.summary == "Drop the bad column."
    assert [(c.purpose, c.input_tokens, c.output_tokens) for c in draft.calls] == [("code", 900, 80)]
    sent = server.requests[0]["json"]["messages"]
    user = sent[1]["content"]
    for expected in ("predict house prices", "price", str(tmp_path / "houses" / "train.csv"), "district",
                     "rmse", "TabularPredictor(label=...)", "KeyError: 'sqft'", "drop the list_price column",
                     "120 seconds", "3 duplicated rows", "df['sqft']"):
        assert expected in user, expected
    assert "metrics.json" in sent[0]["content"]
    prompt_file = (ctx.attempt_dir / "prompt_1.md").read_text()
    assert "# System" in prompt_file and "KeyError: 'sqft'" in prompt_file
    assert SCRIPT in (ctx.attempt_dir / "reply_1.md").read_text()


def test_analysis_is_saved_and_its_tokens_reported(coder, server, tmp_path):
    server.script(Reply(body=openai_completion("The column sqft does not exist; use rooms instead.", 400, 20)))
    ctx = context(tmp_path)
    (ctx.attempt_dir / "solution.py").write_text("df['sqft']\n")
    analysis = coder.analyse_failure(ctx, "KeyError: 'sqft'")
    assert analysis.value == "The column sqft does not exist; use rooms instead."
    assert "df['sqft']" in server.requests[0]["json"]["messages"][1]["content"]
    assert (ctx.attempt_dir / "prompt_1.md").exists() and (ctx.attempt_dir / "reply_1.md").exists()
    assert [(c.purpose, c.input_tokens, c.output_tokens) for c in analysis.calls] == [("error_analysis", 400, 20)]


def test_the_llm_coder_declares_its_roles(coder):
    assert all(isinstance(coder, role) for role in (TaskRefiner, ToolRanker, FailureAnalyst))
    assert not any(isinstance(OfflinePlanner(), role) for role in (TaskRefiner, ToolRanker, FailureAnalyst))


def test_prompt_budget_trims_knowledge_first_then_history(coder, server, tmp_path):
    server.script(Reply(body=openai_completion(f"```python\n{SCRIPT}```")))
    knowledge = [f"snippet {i}: " + "tabular advice " * 400 for i in range(12)]  # ~18,000 tokens
    history = "\n".join(f"Attempt {i}: tried something -> failed" for i in range(1, 100))  # ~1,000 tokens
    coder.budget_tokens = 6000
    ctx = context(tmp_path, knowledge=knowledge, history=history)
    coder.write(ctx)
    system, user = (m["content"] for m in server.requests[0]["json"]["messages"])
    assert estimate_tokens(system) + estimate_tokens(user) <= 6000
    assert "snippet 0:" in user and "snippet 11:" not in user  # the most relevant snippet is kept
    assert "Attempt 1: tried" in user and "Attempt 99: tried" in user  # the history is whole
    assert "KeyError: 'sqft'" in user and "drop the list_price column" in user
    assert "Trimmed to fit the budget: knowledge snippet 12" in (ctx.attempt_dir / "prompt_1.md").read_text()


def test_history_is_trimmed_when_knowledge_is_gone(coder, server, tmp_path):
    server.script(Reply(body=openai_completion(f"```python\n{SCRIPT}```")))
    history = "\n".join(f"Attempt {i}: tried variant {i} -> failed" for i in range(1, 2000))
    coder.budget_tokens = 4000
    coder.write(context(tmp_path, knowledge=["short snippet"], history=history))
    system, user = (m["content"] for m in server.requests[0]["json"]["messages"])
    assert estimate_tokens(system) + estimate_tokens(user) <= 4000
    assert "short snippet" not in user and "Attempt 1999: tried variant 1999" in user
    assert "Attempt 1: tried" not in user


FENCED_TWO_PARTS = "First the imports:\n```python\nimport pandas as pd\n```\nthen:\n```python\nprint(pd.__name__)\n```"
MAIN_AND_SNIPPET = ("```bash\npip install autogluon\n```\n```python\nimport pandas as pd\n" + "x = 1\n" * 20
                    + "```\nYou could also add:\n```python\ny = 2\n```")


@pytest.mark.parametrize("reply, expected", [
    (f"```python\n{SCRIPT}```", SCRIPT),
    (f"Here it is:\n```py\n{SCRIPT}```\nGood luck.", SCRIPT),
    (f"```\n{SCRIPT}```", SCRIPT),
    (f"~~~python\n{SCRIPT}~~~", SCRIPT),
    (f"```python\n{SCRIPT}", SCRIPT),  # unclosed fence, the reply was cut
    (f"Sure, the script:\n{SCRIPT}", SCRIPT),  # no fence at all
    (FENCED_TWO_PARTS, "import pandas as pd\n\nprint(pd.__name__)\n"),
    (MAIN_AND_SNIPPET, "import pandas as pd\n" + "x = 1\n" * 20),
])
def test_extract_code(reply, expected):
    assert extract_code(reply) == expected


def test_extract_refuses_a_reply_without_code():
    with pytest.raises(ProviderError, match="no Python code"):
        extract_code("I am sorry, I cannot help with that.")


def test_refine_task_settles_uncertain_fields(server, no_provider_env, tmp_path):
    provider = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=5)
    server.script(Reply(body=openai_completion(
        '```json\n{"target": "list_price", "metric": "mae", "file_roles": {"extra.csv": "ignored"}}\n```')))
    task = house_task(tmp_path, target_confidence=0.4)
    answer = refine_task(task, provider, record_dir=tmp_path / "perception")
    refined = answer.value
    assert [c.purpose for c in answer.calls] == ["perception"]
    assert refined.target.value == "list_price" and "price" in refined.target.alternatives
    assert refined.metric.value == "mae" and refined.higher_is_better is False
    assert {f.path: f.role for f in refined.files}["extra.csv"] == "ignored"
    assert task.target.value == "price"  # the original is untouched
    question = server.requests[0]["json"]["messages"][1]["content"]
    assert '"target"' in question and '"file_roles"' in question and '"problem_type"' not in question
    assert (tmp_path / "perception" / "prompt_1.md").exists()


def test_refine_task_ignores_answers_that_do_not_fit(server, no_provider_env, tmp_path):
    provider = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=5)
    server.script(Reply(body=openai_completion('{"target": "no_such_column", "metric": "vibes"}')))
    refined = refine_task(house_task(tmp_path, target_confidence=0.4), provider).value
    assert refined.target.value == "price" and refined.metric.value == "rmse"


def test_refine_task_without_uncertain_fields_makes_no_call(server, no_provider_env, tmp_path):
    provider = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=5)
    task = house_task(tmp_path)
    task.files = task.files[:2]
    answer = refine_task(task, provider)
    assert answer.value is task and answer.calls == []
    assert server.requests == []


def test_rank_tools(server, no_provider_env, tmp_path):
    provider = OpenAICompatProvider("m", base_url=server.url + "/v1", timeout=5)
    server.script(Reply(body=openai_completion("sklearn\nautogluon.tabular")))
    ranked = rank_tools(house_task(tmp_path), ["autogluon.tabular", "autogluon.multimodal", "sklearn"], provider)
    assert ranked.value == ["sklearn", "autogluon.tabular", "autogluon.multimodal"]
    assert [c.purpose for c in ranked.calls] == ["tool_ranking"]
