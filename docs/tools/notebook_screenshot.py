"""Make docs/images/notebook-tour.png: execute a demo notebook for real, render it to HTML, photograph it.

    python docs/tools/notebook_screenshot.py [demo_notebooks/tabular_wine.ipynb]

Needs nbclient, nbconvert, Pillow and a headless Chromium (`apt-get install -y chromium`). The notebook runs in a
temporary folder (its data and run folders stay there); only the PNG is written into docs/images/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from PIL import Image, ImageChops

DOCS = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1100, 3200


def execute(source: Path, work_dir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(source, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(work_dir)}}).execute()
    return notebook


def photograph(html_path: Path, png_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png_path}",
                    html_path.as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(png_path).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        image = image.crop((0, 0, image.width, min(image.height, box[3] + 24)))
    image.save(png_path, optimize=True)


def main(source: Path) -> Path:
    target = DOCS / "images" / "notebook-tour.png"
    with tempfile.TemporaryDirectory(prefix="mlzero-shot-") as folder:
        work_dir = Path(folder)
        notebook = execute(source.resolve(), work_dir)
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
        html_path = work_dir / "tour.html"
        html_path.write_text(body, encoding="utf-8")
        photograph(html_path, target)
    return target


if __name__ == "__main__":
    print(main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo_notebooks/tabular_wine.ipynb")))
