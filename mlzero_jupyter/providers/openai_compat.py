"""OpenAI and every OpenAI-compatible endpoint (Ollama, vLLM, LM Studio...) through the official ``openai`` SDK."""

from __future__ import annotations

import os
from typing import Any

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.base import ChatMessage, Completion, Provider, display_url
from mlzero_jupyter.providers.sdk_errors import classify_sdk_error, malformed_reply

KEY_VARIABLE = "OPENAI_API_KEY"
OFFICIAL_HOST = "api.openai.com"
#: Sent to endpoints that need no key (local servers); the SDK refuses an empty key.
NO_KEY = "no-key-needed"


class OpenAICompatProvider(Provider):
    """Chat completions at ``base_url`` (default: OpenAI itself) with any model name the endpoint serves."""

    name = "openai"
    default_model = "gpt-5"
    sdk = "openai"
    extra = "openai"
    default_base_url: str | None = None

    def __init__(self, model: str | None = None, *, base_url: str | None = None, api_key: str | None = None,
                 **common: Any) -> None:
        super().__init__(model, **common)
        self.base_url = self.resolve_base_url(base_url)
        self._api_key = api_key or os.environ.get(KEY_VARIABLE)
        if not self._api_key and not self.local:
            raise CredentialsError(f"no OpenAI API key: set {KEY_VARIABLE}, or give --base-url for a local "
                                   "OpenAI-compatible server")
        self._client: Any = None

    @classmethod
    def resolve_base_url(cls, base_url: str | None) -> str | None:
        """The given URL, else the class's own (Ollama), else ``OPENAI_BASE_URL``, else None (OpenAI itself)."""
        return base_url or cls.default_base_url or os.environ.get("OPENAI_BASE_URL") or None

    @property
    def local(self) -> bool:
        return bool(self.base_url) and OFFICIAL_HOST not in self.base_url

    @property
    def where(self) -> str:
        return f"the endpoint {display_url(self.base_url)}" if self.base_url else "OpenAI"

    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(api_key=self._api_key or NO_KEY, base_url=self.base_url,
                                         timeout=self.timeout, max_retries=0)
        return self._client

    def _complete(self, system: str, messages: list[ChatMessage], max_tokens: int,
                  temperature: float) -> Completion:
        wire = [{"role": "system", "content": system}, *({"role": m.role, "content": m.content} for m in messages)]
        reply = self.client().chat.completions.create(model=self.model, messages=wire,
                                                      **self._sampling(max_tokens, temperature))
        choices = getattr(reply, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise malformed_reply(self.where)
        usage = reply.usage
        return Completion(
            text=choices[0].message.content or "",
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            model=reply.model or self.model,
        )

    def _sampling(self, max_tokens: int, temperature: float) -> dict[str, Any]:
        """OpenAI's reasoning models take ``max_completion_tokens`` and no temperature; other servers the classics."""
        if not self.local and self.model.startswith(("gpt-5", "o1", "o3", "o4")):
            return {"max_completion_tokens": max_tokens}
        return {"max_tokens": max_tokens, "temperature": temperature}

    def _classify(self, error: Exception) -> ProviderError:
        import openai

        return classify_sdk_error(error, openai, self.where, KEY_VARIABLE)

    @classmethod
    def availability(cls, base_url: str | None = None, **_: Any) -> tuple[bool, str]:
        url = cls.resolve_base_url(base_url)
        if url and OFFICIAL_HOST not in url:
            return True, f"local endpoint {display_url(url)} (no key needed; not contacted)"
        if os.environ.get(KEY_VARIABLE):
            return True, f"key found in {KEY_VARIABLE}"
        return False, f"no key: set {KEY_VARIABLE} (or --base-url for a local server)"


class OllamaProvider(OpenAICompatProvider):
    """A local Ollama server through its OpenAI-compatible API."""

    name = "ollama"
    default_model = "qwen2.5-coder:7b"
    default_base_url = "http://localhost:11434/v1"
