"""Perception at scale: time and peak memory of `perceive` on a ~1 GB CSV and on a folder of 100,000 images.

Each measurement runs in a fresh subprocess (peak RSS from resource.getrusage covers the whole process).
Usage: python benchmarks/perception.py [--csv-mb 1024] [--images 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS, TARGET_MB = 3.0, 500.0

_MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
from mlzero_jupyter.perception import perceive
imported = time.perf_counter()
spec = perceive(sys.argv[1], sys.argv[2] or None)
done = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": done - imported, "import_seconds": imported - start, "peak_mb": peak_mb,
                  "target": spec.target.value, "problem_type": spec.problem_type.value,
                  "rows": spec.train_file.rows if spec.train_file else None,
                  "files": sum(f.file_count or 0 for f in spec.files)}))
"""


def build_csv(path: Path, megabytes: int) -> None:
    """A churn-like CSV of about ``megabytes`` MB, written block by block."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = 20_000
    block = pd.DataFrame({
        "customer_id": np.arange(rows), "age": rng.integers(18, 90, rows), "income": rng.normal(5e4, 1e4, rows),
        "region": rng.choice(["north", "south", "east", "west"], rows), "score": rng.random(rows),
        "visits": rng.poisson(5, rows), "churn": rng.choice(["yes", "no"], rows),
    })
    with open(path, "w") as handle:
        handle.write(",".join(block.columns) + "\n")
        text = block.to_csv(index=False, header=False)
        written = 0
        while written < megabytes << 20:
            handle.write(text)
            written += len(text)


def build_images(folder: Path, count: int) -> None:
    """``count`` tiny PNGs in 10 class folders: one encoded image hard-linked (or copied) under every name."""
    from PIL import Image

    source = folder.parent.parent / "one.png"  # outside the measured folder
    Image.new("RGB", (16, 16), (120, 30, 200)).save(source)
    per_class = count // 10
    for label in range(10):
        class_folder = folder / f"class_{label}"
        class_folder.mkdir(parents=True)
        for i in range(per_class):
            target = class_folder / f"{i:06d}.png"
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)


def measure(path: Path, description: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path), description], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, result: dict) -> bool:
    ok = result["seconds"] < TARGET_SECONDS and result["peak_mb"] < TARGET_MB
    print(f"{name:<24} {result['seconds']:6.2f} s (target < {TARGET_SECONDS:.0f} s)   peak {result['peak_mb']:6.0f} MB "
          f"(target < {TARGET_MB:.0f} MB)   import {result['import_seconds']:.2f} s   "
          f"target={result['target']} type={result['problem_type']} rows={result['rows']} files={result['files']}   "
          f"{'OK' if ok else 'OVER TARGET'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-mb", type=int, default=1024)
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--keep", help="build the inputs here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mlzero-bench-perception-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        csv_path, images = root / "big" / "train.csv", root / "images" / "train"
        started = time.perf_counter()
        if not csv_path.exists():
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            build_csv(csv_path, args.csv_mb)
        if not images.exists():
            build_images(images, args.images)
        print(f"built inputs in {time.perf_counter() - started:.0f} s under {root}: "
              f"{csv_path.stat().st_size / 2**30:.2f} GB CSV, {args.images:,} images")
        results = [report("1 GB CSV", measure(csv_path.parent, "predict churn")),
                   report("100,000 images", measure(images.parent))]
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
