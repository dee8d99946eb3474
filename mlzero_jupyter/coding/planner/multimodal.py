"""The MultiModalPredictor parts the image and text scripts share: its settings on a CPU-sized budget, the fit
on a chosen backbone (a local folder or a hub name), and the hold-out score."""

from __future__ import annotations

from typing import Any

from mlzero_jupyter.coding.planner.backbones import Backbone
from mlzero_jupyter.coding.planner.common import TRAINING_SECONDS_LEFT
from mlzero_jupyter.coding.planner.source import Raw
from mlzero_jupyter.perception.spec import ProblemType

IMPORT = "from autogluon.multimodal import MultiModalPredictor"
#: Fusion of the backbone with the table's other columns.
FUSION_MODELS = ["numerical_mlp", "categorical_mlp", "fusion_mlp"]
#: Fine-tuning settings that suit a CPU and a small budget.
CPU_SETTINGS = {"optim.max_epochs": 3, "env.per_gpu_batch_size": 16, "env.num_workers": 0, "env.precision": 32}


def settings(backbone: Backbone, fusion: bool) -> dict[str, Any]:
    """CHECKPOINT and MM_HYPERPARAMETERS for the script's settings block."""
    names = [backbone.model_key] + (FUSION_MODELS if fusion else [])
    values: dict[str, Any] = {"model.names": names, f"model.{backbone.model_key}.checkpoint_name": Raw("CHECKPOINT")}
    if backbone.role == "text":
        values["model.hf_text.max_text_len"] = 128
    return {"CHECKPOINT": backbone.checkpoint, "MM_HYPERPARAMETERS": {**values, **CPU_SETTINGS}}


def comments(backbone: Backbone) -> dict[str, str]:
    return {"CHECKPOINT": backbone.reason,
            "MM_HYPERPARAMETERS": "the backbone (and fusion with other columns), fine-tuned briefly on CPU"}


def fit_lines(columns: str) -> str:
    """Fit MultiModalPredictor on ``fit_data[columns + [LABEL]]``."""
    return ("predictor = MultiModalPredictor(\n"
            "    label=LABEL, problem_type=PROBLEM_TYPE, eval_metric=MM_METRIC, path=MODEL_DIR, verbosity=1\n)\n"
            f"predictor.fit(fit_data[{columns} + [LABEL]], time_limit={TRAINING_SECONDS_LEFT}, seed=SEED, "
            "hyperparameters=MM_HYPERPARAMETERS)")


def evaluate_lines(columns: str) -> str:
    """The hold-out score in the metric's own sign, computed by AutoGluon's scorer on the predictions."""
    return ("# The hold-out score, by AutoGluon's scorer of METRIC, in the metric's own sign.\n"
            "scorer = get_metric(AG_METRIC, PROBLEM_TYPE)\n"
            "if scorer.needs_pred or PROBLEM_TYPE == \"regression\":\n"
            f"    holdout_scores = predictor.predict(holdout[{columns}])\n"
            "else:  # probabilities: the positive class for binary tasks, every class otherwise\n"
            f"    holdout_scores = predictor.predict_proba(holdout[{columns}], as_multiclass=PROBLEM_TYPE != "
            "\"binary\")\n"
            "truth = holdout[LABEL]\n"
            "if PROBLEM_TYPE == \"binary\" and not scorer.needs_pred:\n"
            "    truth = (truth == predictor.class_labels[-1]).astype(int)\n"
            "validation_score = scorer.convert_score_to_original(scorer(truth, holdout_scores))\n"
            "pd.DataFrame([{\"model\": \"MultiModalPredictor\", \"checkpoint\": CHECKPOINT, "
            "\"score_val\": validation_score}]).to_csv(\n    \"leaderboard.csv\", index=False\n)")


#: MultiModalPredictor's names of the canonical metrics it optimises; others fall back to its default.
MM_METRICS = {"accuracy": "accuracy", "roc_auc": "roc_auc", "log_loss": "log_loss", "f1": "f1", "rmse": "rmse",
              "mae": "mae", "r2": "r2", "balanced_accuracy": "accuracy", "f1_macro": "accuracy", "rmsle": "rmse"}


def metric_settings(metric: str, problem_type: str) -> dict[str, Any]:
    default = "rmse" if problem_type == ProblemType.REGRESSION else "accuracy"
    return {"MM_METRIC": MM_METRICS.get(metric, default)}
