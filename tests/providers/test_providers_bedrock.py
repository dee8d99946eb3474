"""Bedrock's Converse API through botocore's Stubber on a real bedrock-runtime client."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.base import ChatMessage
from mlzero_jupyter.providers.bedrock import DEFAULT_MODEL, BedrockProvider
from mlzero_jupyter.providers.retry import RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


def converse_response(text: str, input_tokens: int = 1500, output_tokens: int = 300) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                  "totalTokens": input_tokens + output_tokens},
        "metrics": {"latencyMs": 812},
    }


@pytest.fixture
def stubbed(no_provider_env):
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="AKIATEST",
                          aws_secret_access_key="not-a-real-secret")
    with Stubber(client) as stubber:
        yield BedrockProvider(client=client, retry=FAST), stubber
        stubber.assert_no_pending_responses()


EXPECTED = {
    "modelId": DEFAULT_MODEL,
    "system": [{"text": "You write Python."}],
    "messages": [{"role": "user", "content": [{"text": "Say hi"}]}],
    "inferenceConfig": {"maxTokens": 256, "temperature": 0.2},
}


def ask(provider: BedrockProvider):
    return provider.chat("You write Python.", [ChatMessage("user", "Say hi")], max_tokens=256, temperature=0.2)


def test_converse_request_and_accounting(stubbed):
    provider, stubber = stubbed
    stubber.add_response("converse", converse_response("print('hi')"), EXPECTED)
    response = ask(provider)
    assert response.text == "print('hi')"
    assert (response.input_tokens, response.output_tokens) == (1500, 300)
    assert response.model == DEFAULT_MODEL
    assert response.cost_usd == pytest.approx((1500 * 3.0 + 300 * 15.0) / 1e6)


def test_reasoning_blocks_are_left_out_of_the_text(stubbed):
    provider, stubber = stubbed
    reply = converse_response("answer")
    reply["output"]["message"]["content"].insert(
        0, {"reasoningContent": {"reasoningText": {"text": "thinking...", "signature": "sig"}}})
    stubber.add_response("converse", reply, EXPECTED)
    assert ask(provider).text == "answer"


def test_throttling_then_success(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", "ThrottlingException", "Too many requests, please wait.", 429,
                             expected_params=EXPECTED)
    stubber.add_client_error("converse", "ServiceUnavailableException", "Service unavailable", 503,
                             expected_params=EXPECTED)
    stubber.add_response("converse", converse_response("ok"), EXPECTED)
    assert ask(provider).text == "ok"


def test_access_denied_is_a_credentials_error_without_retry(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", "AccessDeniedException",
                             "You don't have access to the model with the specified model ID.", 403,
                             expected_params={"modelId": ANY, "system": ANY, "messages": ANY,
                                              "inferenceConfig": ANY})
    with pytest.raises(CredentialsError, match="AWS_PROFILE"):
        ask(provider)


def test_validation_error_is_not_retried(stubbed):
    provider, stubber = stubbed
    stubber.add_client_error("converse", "ValidationException", "The provided model identifier is invalid.", 400)
    with pytest.raises(ProviderError, match="model identifier is invalid"):
        ask(provider)


def test_missing_credentials_name_what_to_set(no_provider_env, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    provider = BedrockProvider(retry=FAST)
    with pytest.raises(CredentialsError, match="AWS_PROFILE"):
        ask(provider)
    usable, detail = BedrockProvider.availability()
    assert not usable and "AWS_PROFILE" in detail


def test_unknown_profile_and_missing_region(no_provider_env):
    with pytest.raises(CredentialsError, match="profile 'nope' not found"):
        BedrockProvider(profile="nope").client()
    with pytest.raises(CredentialsError, match="AWS_REGION"):
        BedrockProvider().client()


def test_availability_reports_the_source_not_the_secret(no_provider_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    usable, detail = BedrockProvider.availability(region="eu-west-1")
    assert usable and "env" in detail and "eu-west-1" in detail
    assert "very-secret-value" not in detail and "AKIAEXAMPLEKEY" not in detail
