"""Claude (or any Converse model) on Amazon Bedrock through boto3's ``bedrock-runtime`` Converse API.

Region and credentials come from the standard AWS configuration (environment, ``~/.aws/config`` and
``~/.aws/credentials``, SSO, instance roles); ``region`` and ``profile`` override them.
"""

from __future__ import annotations

import os
from typing import Any

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.base import ChatMessage, Completion, Provider
from mlzero_jupyter.providers.retry import TransientError
from mlzero_jupyter.providers.sdk_errors import malformed_reply

#: Claude Sonnet 4.6 through the global cross-region inference profile (offered in every commercial region).
DEFAULT_MODEL = "global.anthropic.claude-sonnet-4-6"
TRANSIENT_CODES = {"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                   "ModelNotReadyException", "ModelTimeoutException", "TooManyRequestsException"}
CREDENTIAL_CODES = {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException",
                    "InvalidSignatureException", "ExpiredToken"}
HOW_TO_SET_REGION = "set AWS_REGION or AWS_DEFAULT_REGION (or --region, or a region in ~/.aws/config)"
HOW_TO_SET = "set AWS_PROFILE (or --profile) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"


class BedrockProvider(Provider):
    name = "bedrock"
    default_model = DEFAULT_MODEL
    sdk = "boto3"
    extra = "bedrock"

    def __init__(self, model: str | None = None, *, region: str | None = None, profile: str | None = None,
                 client: Any = None, **common: Any) -> None:
        super().__init__(model, **common)
        self.region, self.profile = region, profile
        self._client = client

    @property
    def where(self) -> str:
        return f"Bedrock ({self.region or 'default region'})"

    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        import botocore.config
        import botocore.exceptions

        try:
            session = _session(self.profile, self.region)
        except botocore.exceptions.ProfileNotFound:
            raise CredentialsError(f"AWS profile {self.profile!r} not found in ~/.aws/config; "
                                   "set AWS_PROFILE or --profile to an existing profile") from None
        if not session.region_name:
            raise CredentialsError(f"no AWS region for Bedrock: {HOW_TO_SET_REGION}")
        self.region = session.region_name
        config = botocore.config.Config(read_timeout=self.timeout, connect_timeout=10,
                                        retries={"total_max_attempts": 1})
        return session.client("bedrock-runtime", config=config)

    def _complete(self, system: str, messages: list[ChatMessage], max_tokens: int,
                  temperature: float) -> Completion:
        reply = self.client().converse(
            modelId=self.model,
            system=[{"text": system}],
            messages=[{"role": m.role, "content": [{"text": m.content}]} for m in messages],
            inferenceConfig={"maxTokens": max_tokens, "temperature": temperature},
        )
        try:
            blocks = reply["output"]["message"]["content"]
            usage = reply["usage"]
        except (KeyError, TypeError):
            raise malformed_reply(self.where) from None
        text = "".join(block.get("text", "") for block in blocks)  # reasoning blocks carry no "text"
        return Completion(text=text, input_tokens=int(usage.get("inputTokens", 0)),
                          output_tokens=int(usage.get("outputTokens", 0)), model=self.model)

    def _classify(self, error: Exception) -> ProviderError:
        import botocore.exceptions as bce

        if isinstance(error, (bce.NoCredentialsError, bce.PartialCredentialsError, bce.TokenRetrievalError)):
            return CredentialsError(f"no AWS credentials for Bedrock: {HOW_TO_SET}")
        if isinstance(error, (bce.ReadTimeoutError, bce.ConnectTimeoutError, bce.EndpointConnectionError)):
            return TransientError(f"{self.where} did not answer: {error}")
        if isinstance(error, bce.ClientError):
            return self._classify_client_error(error)
        return ProviderError(f"{self.where} failed: {type(error).__name__}: {error}")

    def _classify_client_error(self, error: Any) -> ProviderError:
        details = error.response.get("Error", {})
        code = details.get("Code", "")
        message = (str(details.get("Message") or code).splitlines() or [code])[0][:300]
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in CREDENTIAL_CODES:
            return CredentialsError(f"{self.where} refused access ({code}: {message}); {HOW_TO_SET}, "
                                    f"with bedrock:InvokeModel allowed for {self.model}")
        if code in TRANSIENT_CODES or status >= 500 or status == 429:
            return TransientError(f"{self.where} answered {code or status}: {message}")
        return ProviderError(f"{self.where} refused the request ({code}: {message})")

    @classmethod
    def availability(cls, region: str | None = None, profile: str | None = None, **_: Any) -> tuple[bool, str]:
        import botocore.exceptions

        try:
            session = _session(profile, region)
            credentials = session.get_credentials()
        except botocore.exceptions.ProfileNotFound:
            return False, f"AWS profile {profile!r} not found; {HOW_TO_SET}"
        except botocore.exceptions.BotoCoreError as error:
            return False, f"AWS configuration unusable ({type(error).__name__}); {HOW_TO_SET}"
        if credentials is None:
            return False, f"no AWS credentials: {HOW_TO_SET}"
        if not session.region_name:
            return False, f"AWS credentials found but no region: {HOW_TO_SET_REGION}"
        return True, f"AWS credentials from {credentials.method}, region {session.region_name}"


def _session(profile: str | None, region: str | None) -> Any:
    """A boto3 session from the standard AWS configuration; AWS_REGION counts as well as AWS_DEFAULT_REGION."""
    import boto3

    return boto3.Session(profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None)
