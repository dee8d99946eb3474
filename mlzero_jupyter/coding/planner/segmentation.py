"""Scripts for semantic segmentation from image and mask folders: MultiModalPredictor fine-tuning SAM where a
segmentation checkpoint is available (``backbones.resolve``), otherwise a per-pixel gradient-boosting classifier
trained from scratch (colour, local means and spread, position). Either way the score is the mean IoU on held-out
images, the masks go to ``predictions/`` (same stem, same size, the training masks' values) and, when the sample
submission asks for run-length encoding, into its table too."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.base import CodingContext
from mlzero_jupyter.coding.planner import holdout, multimodal
from mlzero_jupyter.coding.planner.candidates import FAST
from mlzero_jupyter.coding.planner.common import time_limit_comment, training_seconds
from mlzero_jupyter.coding.planner.family import Family
from mlzero_jupyter.coding.planner.plan import Plan
from mlzero_jupyter.coding.planner.script import Script, assemble
from mlzero_jupyter.coding.planner.source import file_constant, read_lines, write_line
from mlzero_jupyter.coding.templates import render
from mlzero_jupyter.perception.spec import FileInfo, ProblemType, TaskSpec

#: Seconds kept for imports, reading the images, scoring the hold-out and writing the masks.
MARGIN_SECONDS = 15
#: Words that name a run-length-encoded column of a sample submission.
RLE_WORDS = ("rle", "encoded", "encoding", "pixels", "mask", "segmentation")

#: The load section's first lines: each image paired with its mask by their shared name.
PAIRS = """masks = {base_name(path): path for path in list_images(MASK_DIR)}
pairs = [(image, masks[base_name(image)]) for image in list_images(IMAGE_DIR) if base_name(image) in masks]
if not pairs:
    raise SystemExit(f"no image in {IMAGE_DIR} has a mask in {MASK_DIR} with the same name")"""
SPLIT = """# The mask values seen in training are the classes; the first (usually 0) is the background.
VALUES = np.unique(np.concatenate([np.unique(read_mask(mask)) for _, mask in pairs]))
rng = np.random.default_rng(SEED)
order = rng.permutation(len(pairs))
held = max(1, round(HOLDOUT_FRACTION * len(pairs))) if len(pairs) > 1 else 0
holdout_pairs = [pairs[i] for i in order[:held]] or pairs
fit_pairs = [pairs[i] for i in order[held:]]
print(f"{len(fit_pairs)} images to fit, {len(holdout_pairs)} held out, classes {VALUES.tolist()}")"""
EVALUATE = """validation_score = mean_iou([read_mask(mask) for _, mask in holdout_pairs],
                            [predict_mask(image) for image, _ in holdout_pairs], int(VALUES[0]))"""

PIXEL_HELPER = '''
def pixel_features(path: Path) -> np.ndarray:
    """One row per pixel: RGB and HSV, local means over 3 and 9 pixels, local spread, normalised position."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        layers = np.dstack([np.asarray(rgb), np.asarray(rgb.convert("HSV"))]).astype(np.float32) / 255
    grey = layers[..., :3].mean(axis=-1)
    means = [uniform_filter(layers[..., channel], size) for size in (3, 9) for channel in range(3)]
    spread = np.sqrt(np.maximum(uniform_filter(grey**2, 5) - uniform_filter(grey, 5) ** 2, 0))
    rows, columns = np.indices(grey.shape, dtype=np.float32)
    position = [rows / max(grey.shape[0] - 1, 1), columns / max(grey.shape[1] - 1, 1)]
    stack = np.dstack([layers, *means, spread, *position])
    return stack.reshape(-1, stack.shape[-1])


def predict_mask(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        height, width = image.height, image.width
    return model.predict(pixel_features(path)).reshape(height, width)
'''

SAM_HELPER = '''
def predict_mask(path: Path) -> np.ndarray:
    """SAM's mask for one image, mapped back to the training masks' values."""
    predicted = np.asarray(predictor.predict({"image": [str(path)]})[0]).squeeze()
    classes = (predicted > 0.5).astype(int) if len(VALUES) == 2 else predicted.astype(int)
    return VALUES[np.clip(classes, 0, len(VALUES) - 1)]
'''

PIXEL_FIT = '''features, labels = [], []
for image, mask in fit_pairs:
    rows, values = pixel_features(image), read_mask(mask).ravel()
    if len(rows) != len(values):
        raise ValueError(f"{mask.name} is not the size of {image.name}")
    chosen = rng.choice(len(values), size=min(PIXELS_PER_IMAGE, len(values)), replace=False)
    features.append(rows[chosen])
    labels.append(values[chosen])
model = HistGradientBoostingClassifier(max_iter=MAX_ITERATIONS, random_state=SEED)
model.fit(np.concatenate(features), np.concatenate(labels))
Path(MODEL_DIR).mkdir(exist_ok=True)
joblib.dump(model, Path(MODEL_DIR) / "pixel_model.joblib")'''

SAM_FIT = '''fit_frame = pd.DataFrame({"image": [str(image) for image, _ in fit_pairs], "label": [str(mask) for _, mask in fit_pairs]})
predictor = MultiModalPredictor(
    problem_type="semantic_segmentation", label="label", num_classes=1 if len(VALUES) == 2 else len(VALUES),
    path=MODEL_DIR, hyperparameters=MM_HYPERPARAMETERS,
)
predictor.fit(fit_frame, time_limit=training_seconds_left())'''


def rle_column(sample: FileInfo | None) -> str | None:
    """The sample submission's run-length-encoded column, if it has one (the id is the first column)."""
    if sample is None or len(sample.columns) < 2:
        return None
    names = [c.name for c in sample.columns[1:]]
    return next((n for n in names if any(word in n.lower() for word in RLE_WORDS)), names[-1])


def build(context: CodingContext, plan: Plan, summary: str) -> str:
    """The whole segmentation script."""
    task = context.task
    images, masks, test = task.segmentation_folders()
    settings = _settings(context, plan, task, images, masks, test)
    sam = plan.use_multimodal
    tool = (f"AutoGluon MultiModalPredictor fine-tuning SAM {plan.backbone.checkpoint} ({plan.backbone.reason})"
            if sam else "scikit-learn HistGradientBoostingClassifier on per-pixel features, trained from scratch"
            + (f" ({plan.backbone.reason})" if plan.backbone and not plan.backbone.pretrained else ""))
    comments = {"TIME_LIMIT": time_limit_comment(context, plan, MARGIN_SECONDS),
                "PIXELS_PER_IMAGE": "training pixels sampled from each image",
                "RLE_COLUMN": "the sample submission's run-length-encoded masks"}
    if sam:
        comments.update(multimodal.comments(plan.backbone))
    return assemble(context, plan, summary, Script(
        title=f"Segment the images of {images.path} like the masks in {masks.path}.",
        tool=tool,
        validation=holdout.validation_sentence("images", " (mean IoU over their pixels)"),
        imports=["from PIL import Image"] + ([multimodal.IMPORT] if sam else [
            "joblib", "from scipy.ndimage import uniform_filter",
            "from sklearn.ensemble import HistGradientBoostingClassifier"]),
        settings=settings,
        comments=comments,
        helpers="\n\n".join([render("image_files"), render("segmentation"), SAM_HELPER if sam else PIXEL_HELPER]),
        load=PAIRS + "\n" + _load(task, plan, test),
        prepare=SPLIT,
        fit="# The hold-out images are never used for fitting: they give an honest mean IoU.\n"
            + (SAM_FIT if sam else PIXEL_FIT),
        evaluate=EVALUATE,
        predict=_predict(task, settings),
    ))


def _settings(context: CodingContext, plan: Plan, task: TaskSpec, images: FileInfo, masks: FileInfo,
              test: FileInfo | None) -> dict[str, Any]:
    values: dict[str, Any] = {"IMAGE_DIR": file_constant(images), "MASK_DIR": file_constant(masks)}
    if test is not None:
        values["TEST_DIR"] = file_constant(test)
    sample = task.sample_submission_file
    if sample is not None:
        values.update(SAMPLE_SUBMISSION_FILE=file_constant(sample), ID_COLUMN=sample.columns[0].name,
                      RLE_COLUMN=rle_column(sample))
    values.update(METRIC="mean_iou", HIGHER_IS_BETTER=True, TIME_LIMIT=training_seconds(context, plan, MARGIN_SECONDS))
    if plan.use_multimodal:
        hyperparameters = multimodal.settings(plan.backbone, fusion=False)
        hyperparameters["MM_HYPERPARAMETERS"].update({"optim.max_epochs": 1, "env.per_gpu_batch_size": 1})
        values.update(hyperparameters)
    else:
        values.update(PIXELS_PER_IMAGE=4000, MAX_ITERATIONS=100)
    values.update(HOLDOUT_FRACTION=holdout.HOLDOUT_FRACTION, MODEL_DIR="model")
    return values


def _load(task: TaskSpec, plan: Plan, test: FileInfo | None) -> str:
    lines = ["test_images = list_images(TEST_DIR)" if test is not None else
             "# No unlabelled images were given: the predictions are for the hold-out images.\n"
             "test_images = None  # set after the hold-out is drawn"]
    if task.sample_submission_file is not None:
        lines.append(read_lines("sample_submission", "SAMPLE_SUBMISSION_FILE", task.sample_submission_file, plan))
    return "\n".join(lines)


def _predict(task: TaskSpec, settings: dict[str, Any]) -> str:
    lines = ["if test_images is None:\n    test_images = [image for image, _ in holdout_pairs]",
             "Path(\"predictions\").mkdir(exist_ok=True)",
             "predicted = {image: predict_mask(image) for image in test_images}",
             "for image, mask in predicted.items():  # PNG keeps the class values exact",
             "    Image.fromarray(mask.astype(np.uint8)).save(Path(\"predictions\") / f\"{image.stem}.png\")",
             "print(f\"{len(predicted)} masks written to predictions/\")"]
    sample = task.sample_submission_file
    if sample is not None:
        column = sample.columns[0]
        stems = bool(column.examples) and all("." not in e for e in column.examples)
        key = "image.stem" if stems else "image.name"
        lines += ["# The sample submission asks for run-length-encoded masks: one row per image id.",
                  f"encoded = {{{key}: run_length(mask, int(VALUES[0])) for image, mask in predicted.items()}}",
                  "submission = sample_submission.copy()",
                  "submission[RLE_COLUMN] = [encoded.get(str(key), \"\") for key in submission[ID_COLUMN]]",
                  write_line("submission", sample)]
    return "\n".join(lines)


FAMILY = Family("segmentation", lambda task: task.problem_type.value == ProblemType.SEMANTIC_SEGMENTATION, build,
                (FAST,), model="per-pixel gradient boosting (trained from scratch)", backbone="segmentation",
                names_presets=False)
