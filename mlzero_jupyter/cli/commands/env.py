"""`mlzero env`: what this machine can run, as the agent sees it."""

from __future__ import annotations

import argparse

HELP = "Show what this machine can run: AutoGluon parts, torch/CUDA, CPUs, memory, disk, model hub, checkpoints."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the environment as JSON")
    parser.add_argument("--probe", action="store_true", help="import every library in a subprocess to be sure (slower)")
    parser.add_argument("--ray-address", help="also show this Ray cluster's nodes (default: the configured ray_address)")


def run(args: argparse.Namespace) -> int:
    import json

    from mlzero_jupyter.config import load_config
    from mlzero_jupyter.memory.environment import detect_environment

    address = args.ray_address or load_config().ray_address
    environment = detect_environment(probe_imports=args.probe, ray_address=address)
    if args.json:
        print(json.dumps(environment.to_dict(), indent=2))
        return 0
    how = "imported in a subprocess" if environment.probed else "found, not imported"
    print(f"Python {environment.python_version} on {environment.platform}")
    print(f"libraries ({how}):")
    for name, status in environment.modules.items():
        state = (status.version or "installed") if status.importable else "missing"
        print(f"  {name:22s} {state}{'  ' + status.error if status.error else ''}")
    gpu = f"{environment.gpu_count} GPU(s), CUDA {'available' if environment.cuda_available else 'not available'}"
    print(f"hardware: {environment.cpu_count} CPU(s), {gpu}")
    print(f"memory: {environment.memory_available_mb / 1024:.1f} GB free of {environment.memory_total_mb / 1024:.1f} GB;"
          f" disk: {environment.disk_free_mb / 1024:.1f} GB free here")
    print(f"model hub: {'reachable' if environment.hub_reachable else 'offline'} ({environment.hub_note})")
    from mlzero_jupyter.execution.limits import default_memory_limit_mb

    print(f"attempt isolation: {environment.isolation}; default memory cap per attempt: "
          f"{default_memory_limit_mb() / 1024:.1f} GB")
    if not environment.checkpoints:
        print("local checkpoints: none (set MLZERO_TEXT_CHECKPOINT, MLZERO_IMAGE_CHECKPOINT or "
              "MLZERO_SEGMENTATION_CHECKPOINT)")
    for checkpoint in environment.checkpoints:
        print(f"local {checkpoint.role} checkpoint: {checkpoint.path} ({checkpoint.source})")
    if environment.cluster:
        _print_cluster(environment.cluster)
    for warning in environment.warnings:
        print(f"warning: {warning}")
    return 0


def _print_cluster(cluster: dict) -> None:
    print(f"ray cluster {cluster['address']}: {len(cluster['nodes'])} node(s), {cluster['cpus']:g} CPU(s), "
          f"{cluster['gpus']:g} GPU(s), {cluster['memory_mb'] / 1024:.1f} GB memory")
    for node in cluster["nodes"]:
        print(f"  node {node['node_id'][:12]} at {node['address']}: {node['cpus']:g} CPU(s), {node['gpus']:g} GPU(s), "
              f"{node['memory_mb'] / 1024:.1f} GB")
