"""Claude through Anthropic's own API and the official ``anthropic`` SDK."""

from __future__ import annotations

import inspect
import os
from typing import Any

from mlzero_jupyter.errors import CredentialsError, ProviderError
from mlzero_jupyter.providers.base import ChatMessage, Completion, Provider, display_url
from mlzero_jupyter.providers.sdk_errors import classify_sdk_error, malformed_reply

KEY_VARIABLE = "ANTHROPIC_API_KEY"


class AnthropicProvider(Provider):
    name = "anthropic"
    default_model = "claude-sonnet-4-6"
    sdk = "anthropic"
    extra = "anthropic"

    def __init__(self, model: str | None = None, *, base_url: str | None = None, api_key: str | None = None,
                 **common: Any) -> None:
        super().__init__(model, **common)
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        self._api_key = api_key or os.environ.get(KEY_VARIABLE)
        if not self._api_key:
            raise CredentialsError(f"no Anthropic API key: set {KEY_VARIABLE}")
        self._client: Any = None

    @property
    def where(self) -> str:
        return f"the Anthropic endpoint {display_url(self.base_url)}" if self.base_url else "Anthropic"

    def client(self) -> Any:
        if self._client is None:
            import anthropic

            self._client = anthropic.Anthropic(api_key=self._api_key, base_url=self.base_url,
                                               timeout=self.timeout, max_retries=0)
        return self._client

    def _complete(self, system: str, messages: list[ChatMessage], max_tokens: int,
                  temperature: float) -> Completion:
        create = self.client().messages.create
        sampling = {"temperature": temperature} if _takes(create, "temperature") else {}
        reply = create(model=self.model, system=system, max_tokens=max_tokens, **sampling,
                       messages=[{"role": m.role, "content": m.content} for m in messages])
        blocks = getattr(reply, "content", None)
        if not isinstance(blocks, list) or getattr(reply, "usage", None) is None:
            raise malformed_reply(self.where)
        text = "".join(b.text for b in blocks if getattr(b, "type", "") == "text")
        return Completion(text=text, input_tokens=int(reply.usage.input_tokens or 0),
                          output_tokens=int(reply.usage.output_tokens or 0), model=reply.model or self.model)

    def _classify(self, error: Exception) -> ProviderError:
        import anthropic

        return classify_sdk_error(error, anthropic, self.where, KEY_VARIABLE)

    @classmethod
    def availability(cls, **_: Any) -> tuple[bool, str]:
        if os.environ.get(KEY_VARIABLE):
            return True, f"key found in {KEY_VARIABLE}"
        return False, f"no key: set {KEY_VARIABLE}"


def _takes(method: Any, parameter: str) -> bool:
    """Whether the installed SDK's method accepts ``parameter`` (recent SDKs dropped ``temperature``)."""
    return parameter in inspect.signature(method).parameters
