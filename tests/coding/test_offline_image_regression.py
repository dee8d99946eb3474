"""Image regression: a table of image file names and a measured number per image (the suite's depth patches of
Middlebury's motorcycle photograph), read by perception, held out by the referee, written by the offline planner
for every candidate, and solved offline end to end."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from offline_support import context

from mlzero_jupyter import solve
from mlzero_jupyter.bench.grader import grade
from mlzero_jupyter.bench.tasks import TaskInfo, depth_images_regression
from mlzero_jupyter.memory.episodic import SUCCESS, AttemptRecord
from mlzero_jupyter.perception import perceive
from mlzero_jupyter.referee import derive

LOCAL_BACKBONE = {"modules": {"autogluon.multimodal": {"importable": True}},
                  "checkpoints": [{"role": "image", "path": "/models/resnet18", "source": "config"}]}


@pytest.fixture(scope="module")
def depth_task(tmp_path_factory) -> Path:
    """The suite task, built once: images/, train.csv (file name, distance), sample_submission.csv, truth/."""
    return depth_images_regression(tmp_path_factory.mktemp("suite"))


def _counted(depth_task: Path, folder: Path) -> Path:
    """The same patches with their distance rounded to whole metres: four values, as a count would have."""
    folder.mkdir()
    (folder / "images").symlink_to(depth_task / "input" / "images")
    for name in ("train.csv", "sample_submission.csv"):
        frame = pd.read_csv(depth_task / "input" / name)
        frame.assign(distance_m=frame["distance_m"].round().astype(int)).to_csv(folder / name, index=False)
    return folder


def test_perception_reads_a_number_per_image_as_image_regression(depth_task, tmp_path):
    info = TaskInfo.load(depth_task)
    task = perceive(depth_task / "input", info.description)
    assert (task.modality.value, task.problem_type.value, task.target.value, task.metric.value) == (
        "image", "regression", "distance_m", "rmse")
    assert task.id_column.value == "image" and task.test_file is None and task.sample_submission_file is not None
    counted = _counted(depth_task, tmp_path / "counted")
    amount = perceive(counted, "Estimate how far away the scene in each patch is, to the nearest metre.")
    assert (amount.problem_type.value, amount.problem_type.alternatives) == ("regression", ["multiclass"])
    assert "asked for as an amount" in amount.problem_type.reason
    assert perceive(counted, "Which distance class is each patch in?").problem_type.value == "multiclass"
    assert perceive(counted, "Which distance class is each patch in?").modality.value == "image"


def test_the_referee_holds_rows_out_into_the_sample_submission_under_their_own_file_names(depth_task, tmp_path):
    task = perceive(depth_task / "input", TaskInfo.load(depth_task).description)
    referee = derive(task, tmp_path / "referee_data", seed=0)
    sample = pd.read_csv(referee.root / "sample_submission.csv")
    held = sample.iloc[len(pd.read_csv(depth_task / "input" / "sample_submission.csv")):]
    assert len(held) == referee.answers.rows > 0
    assert all((referee.root / "images" / name).is_file() for name in held["image"])  # 'x.png', not 'x'
    assert not list(referee.root.glob("holdout_test*")) and referee.task.test_file is None
    train = pd.read_csv(referee.root / "train.csv")
    assert not set(train["image"]) & set(held["image"])


def test_every_candidate_writes_a_regression_script(depth_task, planner, tmp_path):
    task = perceive(depth_task / "input", TaskInfo.load(depth_task).description)
    fast = planner.write(context(task, tmp_path / "attempt_1", time_limit=60))
    assert fast.candidate == "fast" and fast.summary.startswith("pixel features + TabularPredictor")
    for line in ('PROBLEM_TYPE = "regression"', 'METRIC = "rmse"', 'IMAGE_FOLDERS = [DATA_DIR / "images"]',
                 'TEST_FILE = DATA_DIR / "sample_submission.csv"', "IMAGE_SIZE = 8",
                 "holdout = train.sample(frac=HOLDOUT_FRACTION, random_state=SEED)"):
        assert line in fast.code
    assert "Estimate 'distance_m' of each image" in fast.code and "groupby(LABEL" not in fast.code
    done = AttemptRecord(1, SUCCESS, summary=fast.summary, score=0.7, candidate="fast")
    bagged = planner.write(context(task, tmp_path / "attempt_2", time_limit=120, attempt=2, attempts=[done]))
    assert bagged.candidate == "features-bagged" and "ag_args_ensemble=BAGGING_OPTIONS" in bagged.code
    tuned = planner.write(context(task, tmp_path / "attempt_3", time_limit=300, environment=LOCAL_BACKBONE))
    assert tuned.summary.startswith("MultiModalPredictor") and 'MM_METRIC = "rmse"' in tuned.code
    assert 'PROBLEM_TYPE = "regression"' in tuned.code and "feature_table" not in tuned.code
    for draft in (bagged, tuned):
        compile(draft.code, "solution.py", "exec")
    named = perceive(depth_task / "input", "Estimate how far away each patch is; scored by MAE.")
    assert named.metric.value == "mae"
    assert 'AG_METRIC = "mae"' in planner.write(context(named, tmp_path / "attempt_4", time_limit=60)).code


@pytest.mark.fit
def test_image_regression_is_solved_offline_and_graded(depth_task, tmp_path):
    info = TaskInfo.load(depth_task)
    result = solve(depth_task / "input", info.description, time_limit=60, quick=False, output_dir=tmp_path / "runs")
    assert result.status == "success", result.attempts[-1].error
    assert result.metric == "rmse" and math.isfinite(result.validation_score)
    predictions = pd.read_csv(result.predictions_path)
    answers = pd.read_csv(depth_task / "truth" / "answers.csv")
    assert predictions["image"].tolist() == pd.read_csv(depth_task / "input" / "sample_submission.csv")["image"].tolist()
    rmse = grade(predictions, answers, "rmse", "distance_m", ["image"]).score
    assert rmse < answers["distance_m"].std()  # better than answering the mean
    print(f"depth_images_regression: held-out rmse {result.validation_score:.3f}, test rmse {rmse:.3f} "
          f"(spread {answers['distance_m'].std():.3f})")
