"""The provider interface: one chat completion call that reports tokens, latency and cost."""

from __future__ import annotations

import importlib.util
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from mlzero_jupyter.errors import ProviderError
from mlzero_jupyter.providers.pricing import cost_usd
from mlzero_jupyter.providers.retry import RetryPolicy, with_retries


def display_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and listings."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class ChatMessage:
    role: str  # user or assistant
    content: str


@dataclass
class ChatResponse:
    text: str
    input_tokens: int
    output_tokens: int
    model: str
    latency_s: float
    cost_usd: float = 0.0


@dataclass
class Completion:
    """What a provider's wire call returns, before timing and pricing."""

    text: str
    input_tokens: int
    output_tokens: int
    model: str


class Provider(ABC):
    """A chat model behind an SDK. Subclasses implement ``_complete`` and ``_classify``; retries live here."""

    name: ClassVar[str]
    default_model: ClassVar[str]
    #: The SDK's import name and the pip extra that brings it, for the "missing SDK" message.
    sdk: ClassVar[str | None] = None
    extra: ClassVar[str | None] = None

    def __init__(self, model: str | None = None, *, prices: dict[str, Any] | None = None,
                 timeout: float = 120.0, retry: RetryPolicy | None = None) -> None:
        self.model = model or self.default_model
        self.prices = prices or {}
        self.timeout = float(timeout)
        self.retry = retry or RetryPolicy()

    @property
    def local(self) -> bool:
        """True for an endpoint on the user's side (Ollama, vLLM...): it costs nothing unless priced."""
        return False

    def chat(self, system: str, messages: Sequence[ChatMessage], *, max_tokens: int = 4096,
             temperature: float = 0.2) -> ChatResponse:
        """One completion, retried on throttling, timeouts and server errors; never on rejected credentials."""
        started = time.monotonic()
        done = with_retries(lambda: self._call(system, list(messages), max_tokens, temperature), self.retry)
        return ChatResponse(
            text=done.text,
            input_tokens=done.input_tokens,
            output_tokens=done.output_tokens,
            model=done.model,
            latency_s=time.monotonic() - started,
            cost_usd=cost_usd(done.model or self.model, done.input_tokens, done.output_tokens,
                              overrides=self.prices, local=self.local),
        )

    def _call(self, system: str, messages: list[ChatMessage], max_tokens: int, temperature: float) -> Completion:
        try:
            return self._complete(system, messages, max_tokens, temperature)
        except ProviderError:
            raise
        except Exception as error:  # SDK errors become ProviderError subclasses with a one-line message
            raise self._classify(error) from error

    @abstractmethod
    def _complete(self, system: str, messages: list[ChatMessage], max_tokens: int,
                  temperature: float) -> Completion:
        """The wire call, without retries."""

    @abstractmethod
    def _classify(self, error: Exception) -> ProviderError:
        """Turn an SDK exception into a ProviderError (retryable or not) or a CredentialsError."""

    @classmethod
    def sdk_missing(cls) -> str | None:
        """A one-line install hint when the SDK is not installed, else None."""
        if cls.sdk is None or importlib.util.find_spec(cls.sdk) is not None:
            return None
        return f"SDK missing: pip install 'mlzero-jupyter[{cls.extra or cls.sdk}]'"

    @classmethod
    @abstractmethod
    def availability(cls, **options: Any) -> tuple[bool, str]:
        """Whether this provider can be used here (the SDK being installed), and why; never a secret value."""
