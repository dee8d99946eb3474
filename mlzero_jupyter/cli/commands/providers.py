"""`mlzero providers`: each LLM provider, whether it is usable here, and its default model. Never a secret."""

from __future__ import annotations

import argparse

HELP = "List the LLM providers, whether each is usable here, and their default models."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="check an OpenAI-compatible endpoint instead of the configured one")
    parser.add_argument("--region", help="AWS region to check Bedrock with")
    parser.add_argument("--profile", help="AWS profile to check Bedrock with")
    parser.add_argument("--json", action="store_true", help="print JSON")


def rows(args: argparse.Namespace) -> tuple[str, list]:
    """The configured provider's name and every provider's info."""
    from mlzero_jupyter.config import load_config
    from mlzero_jupyter.providers.registry import list_providers

    settings = load_config({"base_url": args.base_url, "region": args.region, "profile": args.profile})
    return settings.provider, list_providers(base_url=settings.base_url, region=settings.region,
                                             profile=settings.profile)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    configured, infos = rows(args)
    if args.json:
        print(json.dumps([{**dataclasses.asdict(i), "configured": i.name == configured} for i in infos], indent=2))
        return 0
    width = max(len(i.name) for i in infos) + 2
    model_width = max(len(i.default_model) for i in infos) + 2
    print(f"  {'provider':<{width}}{'usable':<8}{'default model':<{model_width}}details")
    for info in infos:
        mark = "*" if info.name == configured else " "
        usable = "yes" if info.usable else "no"
        print(f"{mark} {info.name:<{width}}{usable:<8}{info.default_model:<{model_width}}{info.detail}")
    print(f"\n* configured provider ({configured}); choose with --provider, MLZERO_PROVIDER or c.MLZero.provider")
    return 0
