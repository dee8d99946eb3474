"""A small real task for `mlzero demo`: scikit-learn's breast cancer data, laid out raw as a Kaggle-style folder."""

from __future__ import annotations

from pathlib import Path

DEMO_DESCRIPTION = "Which tumours are malignant? Submissions are evaluated by ROC AUC."


def write_demo_data(folder: Path, seed: int = 0) -> Path:
    """Write train.csv, test.csv and sample_submission.csv (with '?' for some missing values) into ``folder``."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    frame["diagnosis"] = np.where(frame.pop("target") == 0, "malignant", "benign")
    frame.insert(0, "patient_id", np.arange(10_001, 10_001 + len(frame)))
    rng = np.random.default_rng(seed)
    text = frame.astype(object)
    holes = rng.random(text.shape) < 0.01
    holes[:, [0, -1]] = False  # ids and labels stay complete
    text = text.mask(holes, "?")
    test_rows = rng.random(len(text)) < 0.25
    folder.mkdir(parents=True, exist_ok=True)
    text[~test_rows].to_csv(folder / "train.csv", index=False)
    text[test_rows].drop(columns="diagnosis").to_csv(folder / "test.csv", index=False)
    sample = frame.loc[test_rows, ["patient_id"]].assign(diagnosis="benign")
    sample.to_csv(folder / "sample_submission.csv", index=False)
    return folder
