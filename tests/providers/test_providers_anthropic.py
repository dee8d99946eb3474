"""The real anthropic SDK against a local server speaking /v1/messages."""

from __future__ import annotations

import pytest
from providers_wire import Reply, anthropic_message

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.anthropic_api import AnthropicProvider
from mlzero_jupyter.providers.base import ChatMessage
from mlzero_jupyter.providers.retry import RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


def provider(server, **options) -> AnthropicProvider:
    return AnthropicProvider(base_url=server.url, api_key="sk-ant-test", retry=FAST, timeout=5, **options)


def ask(p: AnthropicProvider):
    return p.chat("You write Python.", [ChatMessage("user", "Say hi")], max_tokens=100, temperature=0.0)


def test_messages_wire_format_usage_and_cost(server, no_provider_env):
    server.script(Reply(body=anthropic_message("hello", 1000, 200, model="claude-sonnet-4-6")))
    response = ask(provider(server))
    assert response.text == "hello"
    assert (response.input_tokens, response.output_tokens) == (1000, 200)
    assert response.cost_usd == pytest.approx((1000 * 3 + 200 * 15) / 1e6)
    sent = server.requests[0]
    assert sent["path"] == "/v1/messages"
    sent_key = sent["headers"].get("x-api-key") or sent["headers"].get("authorization", "").removeprefix("Bearer ")
    assert sent_key == "sk-ant-test"  # header name depends on the SDK version
    assert sent["json"]["system"] == "You write Python."
    assert sent["json"]["messages"] == [{"role": "user", "content": "Say hi"}]
    assert sent["json"]["max_tokens"] == 100 and sent["json"]["model"] == "claude-sonnet-4-6"


def test_overloaded_then_success(server, no_provider_env):
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    server.script(Reply(529, overloaded), Reply(429, overloaded, {"retry-after": "0"}),
                  Reply(body=anthropic_message("done")))
    assert ask(provider(server)).text == "done"
    assert len(server.requests) == 3


def test_bad_key_is_a_credentials_error_without_retry(server, no_provider_env):
    server.script(Reply(401, {"type": "error", "error": {"type": "authentication_error",
                                                        "message": "invalid x-api-key"}}))
    with pytest.raises(CredentialsError, match="ANTHROPIC_API_KEY"):
        ask(provider(server))
    assert len(server.requests) == 1


def test_bad_request_is_not_retried_and_says_why(server, no_provider_env):
    server.script(Reply(400, {"type": "error", "error": {"type": "invalid_request_error",
                                                        "message": "max_tokens: too large"}}))
    with pytest.raises(ProviderError, match="HTTP 400.*max_tokens: too large"):
        ask(provider(server))
    assert len(server.requests) == 1


def test_malformed_body(server, no_provider_env):
    server.script(Reply(200, '{"type": "message", "content": '))
    with pytest.raises(ProviderError, match="not a chat completion"):
        ask(provider(server))


def test_timeout_then_success(server, no_provider_env):
    server.script(Reply(body=anthropic_message("late"), delay=1.5), Reply(body=anthropic_message("ok")))
    p = AnthropicProvider(base_url=server.url, api_key="k", retry=FAST, timeout=0.5)
    assert ask(p).text == "ok"


def test_missing_key_names_the_variable(no_provider_env):
    with pytest.raises(CredentialsError, match="set ANTHROPIC_API_KEY"):
        AnthropicProvider()
