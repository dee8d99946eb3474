"""Error mapping shared by the ``openai`` and ``anthropic`` SDKs, whose exception classes have the same names."""

from __future__ import annotations

from types import ModuleType

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.retry import TransientError, parse_retry_after


def classify_sdk_error(error: Exception, sdk: ModuleType, where: str, key_variable: str) -> ProviderError:
    """A ProviderError for an SDK exception: CredentialsError for 401/403, TransientError for 408/409/429/5xx,
    timeouts and dropped connections, a plain (not retried) ProviderError for everything else."""
    if isinstance(error, (sdk.AuthenticationError, sdk.PermissionDeniedError)):
        return CredentialsError(f"{where} rejected the credentials (HTTP {error.status_code}); "
                                f"set {key_variable} to a valid key")
    if isinstance(error, sdk.APITimeoutError):
        return TransientError(f"{where} did not answer in time")
    if isinstance(error, sdk.APIConnectionError):
        return TransientError(f"cannot reach {where}: {error}")
    if isinstance(error, sdk.APIStatusError):
        status = error.status_code
        message = _server_message(error)
        if status in (408, 409, 429) or status >= 500:
            retry_after = parse_retry_after(error.response.headers.get("retry-after"))
            return TransientError(f"{where} answered HTTP {status}: {message}", retry_after=retry_after)
        if status == 404:
            return ProviderError(f"{where} answered HTTP 404 ({message}); check the model name and base URL")
        return ProviderError(f"{where} refused the request (HTTP {status}): {message}")
    if isinstance(error, ValueError):  # the body was not JSON
        return malformed_reply(where)
    return ProviderError(f"{where} failed: {type(error).__name__}: {error}")


def malformed_reply(where: str) -> ProviderError:
    return ProviderError(f"{where} replied with something that is not a chat completion; "
                         "check the base URL (it usually ends in /v1)")


def _server_message(error: Exception) -> str:
    """The server's own error message when the body has one, else the SDK's; one line, short."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        text = inner.get("message") if isinstance(inner, dict) else inner
        if text:
            return str(text).splitlines()[0][:300]
    return str(getattr(error, "message", error)).splitlines()[0][:300]
