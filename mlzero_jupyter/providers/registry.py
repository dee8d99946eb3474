"""Provider names -> provider classes: the built-ins, plus the entry point group ``mlzero_jupyter.providers``.

Another package adds a provider by declaring, in its pyproject::

    [project.entry-points."mlzero_jupyter.providers"]
    myllm = "my_package.module:MyProvider"   # a subclass of mlzero_jupyter.providers.base.Provider
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.providers.base import Provider

ENTRY_POINT_GROUP = "mlzero_jupyter.providers"
#: The offline planner: templates and rule-based repair, no LLM (see mlzero_jupyter.coding.offline).
OFFLINE = "offline"
BUILTIN: dict[str, str] = {
    "bedrock": "mlzero_jupyter.providers.bedrock:BedrockProvider",
    "openai": "mlzero_jupyter.providers.openai_compat:OpenAICompatProvider",
    "ollama": "mlzero_jupyter.providers.openai_compat:OllamaProvider",
    "anthropic": "mlzero_jupyter.providers.anthropic_api:AnthropicProvider",
}


@dataclass
class ProviderInfo:
    name: str
    usable: bool
    detail: str  # why (not) usable; never a secret
    default_model: str
    source: str = "built-in"  # or the distribution that declares the entry point


def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN}


def provider_names() -> list[str]:
    """Every known name: offline first, then the built-ins, then the plugins."""
    return [OFFLINE, *BUILTIN, *sorted(_plugins())]


def provider_class(name: str) -> type[Provider]:
    """The class behind ``name``; ConfigError for an unknown name or a plugin that is not a Provider."""
    if name in BUILTIN:
        module, _, attribute = BUILTIN[name].partition(":")
        return getattr(importlib.import_module(module), attribute)
    plugin = _plugins().get(name)
    if plugin is None:
        known = ", ".join(provider_names())
        raise ConfigError(f"unknown provider {name!r}; known providers: {known}")
    loaded = plugin.load()
    if not (inspect.isclass(loaded) and issubclass(loaded, Provider)):
        raise ConfigError(f"entry point {name!r} of {ENTRY_POINT_GROUP} is not a Provider subclass")
    return loaded


def accepted_options(cls: type[Provider]) -> set[str]:
    """Keyword arguments the class's constructors take, along its MRO."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names |= {p.name for p in inspect.signature(init).parameters.values()
                      if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"}
    return names


def get_provider(name: str, **options: Any) -> Provider:
    """A ready provider. Options left at None are dropped; an option the provider does not take is refused.

    Raises ConfigError (unknown name, missing SDK, unfit option) or CredentialsError (nothing to log in with).
    """
    if name == OFFLINE:
        raise ConfigError("offline is the offline planner, not an LLM provider; use coding.offline.OfflinePlanner")
    cls = provider_class(name)
    missing = cls.sdk_missing()
    if missing:
        raise ConfigError(f"the {name} provider needs its SDK; {missing.removeprefix('SDK missing: ')}")
    given = {key: value for key, value in options.items() if value is not None}
    unfit = sorted(set(given) - accepted_options(cls))
    if unfit:
        raise ConfigError(f"the {name} provider does not take {', '.join(unfit)}")
    return cls(**given)


def list_providers(**options: Any) -> list[ProviderInfo]:
    """Every provider with whether it is usable here; ``options`` (base_url, region, profile) refine the checks."""
    infos = [ProviderInfo(OFFLINE, True, "no LLM: templates and rule-based repair", "-")]
    plugins = _plugins()
    for name in [*BUILTIN, *sorted(plugins)]:
        source = "built-in" if name in BUILTIN else f"plugin {plugins[name].value}"
        try:
            cls = provider_class(name)
        except Exception as error:  # a broken plugin is listed as unusable, not fatal
            infos.append(ProviderInfo(name, False, f"cannot load: {type(error).__name__}", "?", source))
            continue
        missing = cls.sdk_missing()
        usable, detail = (False, missing) if missing else cls.availability(**options)
        infos.append(ProviderInfo(name, usable, detail, cls.default_model, source))
    return infos
