"""Configuration: the ``MLZero`` configurable and the order its sources are read in.

Later sources override earlier ones:

1. defaults (the run options' in mlzero_jupyter/options.py, the others below);
2. config files, each as ``c.MLZero.<name> = value``: the IPython profile's ``ipython_config.py``
   (``$IPYTHONDIR/profile_default``, default ``~/.ipython``), then ``jupyter_mlzero_config.py`` or ``.json`` in
   every Jupyter config directory (``jupyter --paths``; ``$JUPYTER_CONFIG_DIR`` is the most important);
3. environment variables ``MLZERO_<NAME>`` (``MLZERO_PROVIDER``, ``MLZERO_MODEL``, ``MLZERO_BASE_URL``,
   ``MLZERO_TIME_LIMIT``...); lists are separated by ``os.pathsep``, dicts are JSON;
4. explicit options: command-line flags, magic flags, keyword arguments (``load_config(overrides)``).

Secrets (API keys) are never configuration: they stay in the providers' own variables (``OPENAI_API_KEY``,
``ANTHROPIC_API_KEY``, the AWS configuration). See docs/configuration.md.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from traitlets import Bool, Dict, Float, Int, List, TraitError, TraitType, Unicode, validate
from traitlets.config import Config, Configurable

from mlzero_jupyter.errors import ConfigError
from mlzero_jupyter.options import SETTINGS, Option

ENV_PREFIX = "MLZERO_"
JUPYTER_CONFIG_NAME = "jupyter_mlzero_config"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|h|minutes?|min|m|seconds?|sec|s)?", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
_SECRET_WORDS = ("key", "token", "secret", "password")


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like ``"90"``, ``"90s"``, ``"10m"``, ``"1h"``, ``"1h30m"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace(" ", "")
        parts = list(_DURATION_PART.finditer(text))
        if not parts or "".join(p.group(0) for p in parts) != text:
            raise ConfigError(f"a duration is like 90s, 10m or 1h; got {value!r}")
        seconds = sum(float(p.group(1)) * _UNIT_SECONDS[(p.group(2) or "s")[0].lower()] for p in parts)
    else:
        raise ConfigError(f"a duration is like 90s, 10m or 1h; got {value!r}")
    if seconds <= 0:
        raise ConfigError(f"a duration must be positive; got {value!r}")
    return seconds


class Duration(Float):
    """Seconds, given as a number or as ``"10m"``-style text."""

    info_text = "a duration in seconds, or text like 90s, 10m, 1h"

    def validate(self, obj: Any, value: Any) -> float:
        try:
            return parse_duration(value)
        except ConfigError as error:
            raise TraitError(str(error)) from None


def _trait(option: Option) -> TraitType:
    """The trait of a run option that is also a setting: its type, default and help from the table."""
    none = option.default is None
    if option.duration:
        trait: TraitType = Duration(option.default, allow_none=none, help=option.text)
    elif option.type is dict:
        trait = Dict(help=option.text)  # an empty dict means none given
    elif option.type is bool:
        trait = Bool(option.default, help=option.text)
    elif option.type is int:
        trait = Int(option.default, allow_none=none, help=option.text)
    else:
        trait = Unicode(option.default, allow_none=none, help=option.text)
    return trait.tag(config=True)


#: The run options that are settings (mlzero_jupyter/options.py), as traits that ``MLZero`` inherits.
RunSettings = type("RunSettings", (Configurable,), {option.name: _trait(option) for option in SETTINGS})


class MLZero(RunSettings):
    """Settings of mlzero-jupyter; every trait is settable as ``c.MLZero.<name>`` in a config file.

    The run options among them are declared in mlzero_jupyter/options.py; these are the settings of the providers,
    the knowledge base and the front ends' pauses.
    """

    region = Unicode(None, allow_none=True, help="AWS region for Bedrock (default: the AWS config)").tag(
        config=True)
    profile = Unicode(None, allow_none=True, help="AWS profile for Bedrock (default: the AWS config)").tag(
        config=True)
    knowledge_paths = List(Unicode(), help="extra knowledge folders (markdown files)").tag(config=True)
    prices = Dict(help='USD per million tokens by model id: {"model": [input, output]}').tag(config=True)
    prompt_budget_tokens = Int(12000, help="at most this many tokens per LLM prompt").tag(config=True)
    guidance_timeout = Duration(60.0, help="seconds a pause for guidance waits before going on").tag(config=True)
    approval_timeout = Duration(None, allow_none=True, help="seconds an approval waits before deciding alone "
                                "(clean code runs, code with concerns is skipped); unset: wait for an answer"
                                ).tag(config=True)

    @validate("provider")
    def _check_provider(self, proposal: Any) -> str:
        from mlzero_jupyter.providers.registry import provider_names

        name = proposal["value"].strip().lower()
        if name not in provider_names():
            raise TraitError(f"unknown provider {proposal['value']!r}; known: {', '.join(provider_names())}")
        return name

    @validate("base_url")
    def _check_base_url(self, proposal: Any) -> str | None:
        from urllib.parse import urlparse

        value = proposal["value"]
        if value is not None:
            parts = urlparse(value.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise TraitError("must be an http(s) URL like http://localhost:11434/v1")
        return value.strip() if value is not None else None

    @validate("executor")
    def _check_executor(self, proposal: Any) -> str:
        from mlzero_jupyter.execution.executors import EXECUTORS

        name = proposal["value"].strip().lower()
        if name not in EXECUTORS:
            raise TraitError(f"unknown executor {proposal['value']!r}; choose one of {', '.join(EXECUTORS)}")
        return name

    @validate("max_iterations")
    def _check_iterations(self, proposal: Any) -> int:
        if proposal["value"] < 1:
            raise TraitError("must be at least 1")
        return proposal["value"]

    @validate("prompt_budget_tokens")
    def _check_budget(self, proposal: Any) -> int:
        if proposal["value"] < 1000:
            raise TraitError("must be at least 1000 tokens")
        return proposal["value"]

    @validate("policy")
    def _check_policy(self, proposal: Any) -> dict:
        from mlzero_jupyter.execution.policy import check_rules

        try:
            check_rules(proposal["value"])
        except ConfigError as error:
            raise TraitError(str(error)) from None
        return proposal["value"]

    @validate("prices")
    def _check_prices(self, proposal: Any) -> dict:
        from mlzero_jupyter.providers.pricing import parse_prices

        try:
            parse_prices(proposal["value"])
        except ConfigError as error:
            raise TraitError(str(error)) from None
        return proposal["value"]

    # -- views --------------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.class_traits(config=True))}

    def masked(self) -> dict[str, Any]:
        """The values for display: credentials inside URLs and secret-looking dict entries are masked."""
        return {name: _mask(name, value) for name, value in self.values().items()}

    def run_options(self) -> dict[str, Any]:
        """Keyword arguments for the agent's RunOptions: the settings that are run options."""
        values = {option.name: getattr(self, option.name) for option in SETTINGS}
        return {**values, "policy": dict(self.policy) or None}

    def provider_options(self) -> dict[str, Any]:
        """Keyword arguments for ``get_provider(self.provider, ...)``: those this provider takes, when set."""
        from mlzero_jupyter.providers.registry import accepted_options, provider_class

        given = {"model": self.model, "base_url": self.base_url, "region": self.region, "profile": self.profile,
                 "prices": dict(self.prices) or None}
        accepted = accepted_options(provider_class(self.provider))
        return {k: v for k, v in given.items() if v is not None and k in accepted}


def config_files() -> list[Path]:
    """The config files that exist, least important first."""
    ipython_dir = Path(os.environ.get("IPYTHONDIR") or "~/.ipython").expanduser()
    candidates = [ipython_dir / "profile_default" / "ipython_config.py"]
    from jupyter_core.paths import jupyter_config_path

    for folder in reversed(jupyter_config_path()):  # jupyter lists the most important first
        candidates += [Path(folder) / f"{JUPYTER_CONFIG_NAME}.json", Path(folder) / f"{JUPYTER_CONFIG_NAME}.py"]
    return [path for path in candidates if path.is_file()]


def _read_config_file(path: Path) -> Config:
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

    loader_class = JSONFileConfigLoader if path.suffix == ".json" else PyFileConfigLoader
    try:
        return loader_class(path.name, path=str(path.parent)).load_config()
    except Exception as error:  # a broken user file: say which one, in one line
        raise ConfigError(f"cannot read config file {path}: {type(error).__name__}: {error}") from None


def setting_from_text(trait: TraitType, text: str, source: str) -> Any:
    """A setting's value from text, the one reading of an ``MLZERO_*`` variable and a ``%mlzero config`` pair.

    Booleans are true/false/yes/no/on/off/1/0, lists are separated by ``os.pathsep``, dicts are JSON (or
    ``key=value``); other text is left to the trait (durations like ``10m`` included). ``source`` names the text in
    the error.
    """
    try:
        if isinstance(trait, Bool):
            lowered = text.strip().lower()
            if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError("expected true or false")
            return lowered in ("1", "true", "yes", "on")
        if isinstance(trait, Int):
            return int(text)
        if isinstance(trait, List):
            return [part for part in text.split(os.pathsep) if part]
        if isinstance(trait, Dict):
            return json.loads(text) if text.lstrip().startswith("{") else trait.from_string(text)
    except (ValueError, TraitError) as error:
        raise ConfigError(f"{source}={text!r} is invalid: {_first_line(error)}") from None
    return text


def _assign(settings: MLZero, name: str, value: Any, source: str) -> None:
    try:
        setattr(settings, name, value)
    except TraitError as error:
        raise ConfigError(f"{source}: invalid {name} {value!r}: {_first_line(error)}") from None


def load_config(overrides: dict[str, Any] | None = None, *, environ: dict[str, str] | None = None) -> MLZero:
    """The settings from defaults < config files < ``MLZERO_*`` variables < ``overrides`` (None values skipped)."""
    merged = Config()
    for path in config_files():
        merged.merge(_read_config_file(path))
    try:
        settings = MLZero(config=merged)
    except TraitError as error:
        raise ConfigError(f"config files: {_first_line(error)}") from None
    traits = settings.class_traits(config=True)
    environ = os.environ if environ is None else environ
    for name, trait in traits.items():
        variable = ENV_PREFIX + name.upper()
        if environ.get(variable, "").strip():
            _assign(settings, name, setting_from_text(trait, environ[variable], variable), variable)
    unknown = sorted(set(overrides or {}) - set(traits))
    if unknown:
        raise ConfigError(f"unknown setting {', '.join(unknown)}; settings are {', '.join(sorted(traits))}")
    for name, value in (overrides or {}).items():
        if value is not None:
            _assign(settings, name, value, "option")
    return settings


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _mask(name: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if any(w in str(k).lower() for w in _SECRET_WORDS) else _mask(k, v) for k, v in value.items()}
    if isinstance(value, str) and "://" in value:
        from mlzero_jupyter.providers.base import display_url

        return display_url(value)
    if isinstance(value, str) and value and any(word in name.lower() for word in _SECRET_WORDS):
        return "***"
    return value
