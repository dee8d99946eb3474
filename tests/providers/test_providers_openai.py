"""The real openai SDK against a local server speaking /v1/chat/completions."""

from __future__ import annotations

import time

import pytest
from providers_wire import Reply, openai_completion

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.base import ChatMessage
from mlzero_jupyter.providers.openai_compat import OpenAICompatProvider
from mlzero_jupyter.providers.retry import RetryPolicy

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def provider(server, **options) -> OpenAICompatProvider:
    return OpenAICompatProvider("any-name", base_url=server.url + "/v1", retry=FAST, timeout=5, **options)


def ask(p: OpenAICompatProvider):
    return p.chat("You write Python.", [ChatMessage("user", "Say hi")], max_tokens=64, temperature=0.1)


def test_chat_sends_the_wire_format_and_reports_usage(server, no_provider_env):
    server.script(Reply(body=openai_completion("hi there", 321, 12)))
    response = ask(provider(server))
    assert response.text == "hi there"
    assert (response.input_tokens, response.output_tokens, response.model) == (321, 12, "any-name")
    assert response.cost_usd == 0.0  # a local endpoint with no configured price
    assert response.latency_s > 0
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["model"] == "any-name"
    assert sent["json"]["messages"] == [{"role": "system", "content": "You write Python."},
                                        {"role": "user", "content": "Say hi"}]
    assert sent["json"]["max_tokens"] == 64 and sent["json"]["temperature"] == 0.1


def test_configured_price_applies_to_a_local_model(server, no_provider_env):
    server.script(Reply(body=openai_completion("ok", 1_000_000, 500_000)))
    response = ask(provider(server, prices={"any-name": [2.0, 4.0]}))
    assert response.cost_usd == pytest.approx(2.0 + 2.0)


def test_rate_limit_with_retry_after_is_honoured_then_succeeds(server, no_provider_env):
    server.script(Reply(429, {"error": {"message": "slow down", "type": "rate_limit"}}, {"retry-after": "1"}),
                  Reply(body=openai_completion("after the pause")))
    started = time.monotonic()
    response = ask(provider(server))
    assert response.text == "after the pause"
    assert len(server.requests) == 2
    assert time.monotonic() - started >= 0.9  # the server's Retry-After, not the 0.01 s backoff


def test_server_error_is_retried(server, no_provider_env):
    server.script(Reply(500, {"error": {"message": "boom"}}), Reply(body=openai_completion("fine")))
    assert ask(provider(server)).text == "fine"
    assert len(server.requests) == 2


def test_persistent_server_errors_give_up_after_the_policy(server, no_provider_env):
    server.script(Reply(503, {"error": {"message": "overloaded"}}))
    with pytest.raises(ProviderError, match="gave up after 4 attempts"):
        ask(provider(server))
    assert len(server.requests) == 4


def test_unauthorized_is_not_retried_and_names_the_variable(server, no_provider_env):
    server.script(Reply(401, {"error": {"message": "Incorrect API key provided"}}))
    with pytest.raises(CredentialsError, match="OPENAI_API_KEY"):
        ask(provider(server, api_key="sk-wrong"))
    assert len(server.requests) == 1


@pytest.mark.parametrize("body, content_type", [("{not json", "application/json"),
                                                ("<html>a web page</html>", "text/html"),
                                                ({"object": "list", "data": []}, "application/json")])
def test_malformed_bodies_give_a_clear_error(server, no_provider_env, body, content_type):
    server.script(Reply(200, body, {"content-type": content_type}))
    with pytest.raises(ProviderError, match="not a chat completion; check the base URL"):
        ask(provider(server))
    assert len(server.requests) == 1


def test_timeout_is_retried_then_succeeds(server, no_provider_env):
    server.script(Reply(body=openai_completion("late"), delay=1.5), Reply(body=openai_completion("on time")))
    p = OpenAICompatProvider("any-name", base_url=server.url + "/v1", retry=FAST, timeout=0.5)
    assert ask(p).text == "on time"
    assert len(server.requests) == 2


def test_official_openai_needs_a_key(no_provider_env):
    with pytest.raises(CredentialsError, match="set OPENAI_API_KEY"):
        OpenAICompatProvider("gpt-5")


def test_official_reasoning_models_get_max_completion_tokens(no_provider_env):
    p = OpenAICompatProvider("gpt-5-mini", api_key="sk-test")
    assert p._sampling(100, 0.2) == {"max_completion_tokens": 100}
    assert not p.local
