"""Small real data for the multimodal tests, laid out raw: image tiles with masks, and a text table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TILE = 48


def sky_tiles(root: Path, rle: bool = False) -> Path:
    """Tiles of scikit-learn's sample photo 'china.jpg' (a real photograph) with masks of its bright, blue-ish
    regions (a blurred colour threshold: 0 background, 255 foreground). ``train/images``, ``train/masks`` and
    ``test/images``; with ``rle``, a sample submission asking for run-length-encoded masks; the true test masks
    go to ``truth/``."""
    from PIL import Image
    from scipy.ndimage import gaussian_filter
    from sklearn.datasets import load_sample_image

    photo = load_sample_image("china.jpg")
    smooth = gaussian_filter(photo.astype(np.float32), sigma=(3, 3, 0))
    foreground = (smooth[..., 2] > 140) & (smooth[..., 2] >= smooth[..., 0])
    folders = {name: root / "input" / name for name in ("train/images", "train/masks", "test/images")}
    for folder in [*folders.values(), root / "truth"]:
        folder.mkdir(parents=True, exist_ok=True)
    number, ids = 0, []
    for top in range(0, photo.shape[0] - TILE + 1, TILE):
        for left in range(0, photo.shape[1] - TILE + 1, TILE):
            name = f"tile_{number:03d}.png"
            image = Image.fromarray(photo[top:top + TILE, left:left + TILE])
            mask = Image.fromarray(np.where(foreground[top:top + TILE, left:left + TILE], 255, 0).astype(np.uint8))
            if number % 5 == 0:
                image.save(folders["test/images"] / name)
                mask.save(root / "truth" / name)
                ids.append(Path(name).stem)
            else:
                image.save(folders["train/images"] / name)
                mask.save(folders["train/masks"] / name)
            number += 1
    if rle:
        pd.DataFrame({"id": ids, "rle_mask": "1 1"}).to_csv(root / "input" / "sample_submission.csv", index=False)
    return root / "input"


def conversations_table(root: Path, languages: tuple[str, ...] = ("english", "french", "spanish"),
                        per_language: int = 60) -> Path:
    """A text table from the chatterbot corpus: train.csv (id, conversation, language) and test.csv."""
    from mlzero_jupyter.bench.tasks import _conversations

    rows = [{"conversation": text.replace("\n", " "), "language": language} for language in languages
            for text in _conversations(language)[:per_language]]
    frame = pd.DataFrame(rows).sample(frac=1, random_state=0).reset_index(drop=True)
    frame.insert(0, "id", range(1, len(frame) + 1))
    folder = root / "input"
    folder.mkdir(parents=True)
    cut = int(0.8 * len(frame))
    frame.iloc[:cut].to_csv(folder / "train.csv", index=False)
    frame.iloc[cut:].drop(columns="language").to_csv(folder / "test.csv", index=False)
    return folder
