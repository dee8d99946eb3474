"""Prices per model id in USD per million input and output tokens, overridable by configuration.

Model ids are matched after normalisation, so ``us.anthropic.claude-sonnet-4-5-20250929-v1:0`` (Bedrock),
``claude-sonnet-4-5-20250929`` (Anthropic) and ``claude-sonnet-4-5`` share one entry. A model that is not in
the table costs 0 and :func:`price_for` returns None, so displays can say "price unknown". Local endpoints
(Ollama, vLLM, LM Studio) cost 0 unless the configuration prices their model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlzero_jupyter.errors import ConfigError


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1_000_000


#: Public list prices (standard tier, no caching or batch discounts).
PRICES: dict[str, Price] = {
    "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-1": Price(15.0, 75.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-4-6": Price(3.0, 15.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-3-7-sonnet": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.8, 4.0),
    "gpt-5": Price(1.25, 10.0),
    "gpt-5-mini": Price(0.25, 2.0),
    "gpt-5-nano": Price(0.05, 0.4),
    "gpt-4.1": Price(2.0, 8.0),
    "gpt-4.1-mini": Price(0.4, 1.6),
    "gpt-4.1-nano": Price(0.1, 0.4),
    "gpt-4o": Price(2.5, 10.0),
    "gpt-4o-mini": Price(0.15, 0.6),
}

_REGION_PREFIX = re.compile(r"^(?:us|eu|apac|jp|au|ca|us-gov|global)\.")
_VENDOR_PREFIX = re.compile(r"^(?:anthropic|openai)[./]")
_VERSION_SUFFIX = re.compile(r"-v\d+(?::\d+)?$")
_DATE_SUFFIX = re.compile(r"-\d{4}-?\d{2}-?\d{2}$")


def normalise_model_id(model: str) -> str:
    """``us.anthropic.claude-sonnet-4-5-20250929-v1:0`` -> ``claude-sonnet-4-5``; ``gpt-5-2025-08-07`` -> ``gpt-5``."""
    name = model.strip().lower()
    name = _REGION_PREFIX.sub("", name)
    name = _VENDOR_PREFIX.sub("", name)
    name = _VERSION_SUFFIX.sub("", name)
    return _DATE_SUFFIX.sub("", name)


def parse_prices(overrides: dict[str, Any] | None) -> dict[str, Price]:
    """Configuration prices: ``{"model": [input, output]}`` or ``{"model": {"input": x, "output": y}}``."""
    parsed: dict[str, Price] = {}
    for model, value in (overrides or {}).items():
        if isinstance(value, Price):
            parsed[normalise_model_id(model)] = value
            continue
        try:
            pair = (value["input"], value["output"]) if isinstance(value, dict) else tuple(value)
            price = Price(float(pair[0]), float(pair[1]))
        except (KeyError, TypeError, ValueError, IndexError):
            raise ConfigError(f"price of {model!r} must be [input, output] USD per million tokens, "
                              f"got {value!r}") from None
        if price.input_per_million < 0 or price.output_per_million < 0:
            raise ConfigError(f"price of {model!r} cannot be negative")
        parsed[normalise_model_id(model)] = price
    return parsed


def price_for(model: str, overrides: dict[str, Any] | None = None) -> Price | None:
    """The price of ``model``: the configuration's first, then the built-in table; None when unknown."""
    key = normalise_model_id(model)
    return parse_prices(overrides).get(key) or PRICES.get(key)


def cost_usd(model: str, input_tokens: int, output_tokens: int, *, overrides: dict[str, Any] | None = None,
             local: bool = False) -> float:
    """The cost of one call; 0 for local endpoints without a configured price and for unknown models."""
    key = normalise_model_id(model)
    configured = parse_prices(overrides).get(key)
    if configured is not None:
        return configured.cost(input_tokens, output_tokens)
    if local or key not in PRICES:
        return 0.0
    return PRICES[key].cost(input_tokens, output_tokens)
