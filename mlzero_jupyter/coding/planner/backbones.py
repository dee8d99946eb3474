"""Which pretrained model an attempt fine-tunes, and why: a local checkpoint, the model hub, or no backbone at all
(the planner then uses a fallback that needs no pretrained weights).

The order is: autogluon.multimodal must import; a local checkpoint for the role (the one tool selection chose,
else the first the environment reports) wins; the hub is used only when it is reachable and the role is cheap
enough for this machine (segmentation models are too heavy for a CPU without a local checkpoint).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlzero_jupyter.memory.environment import CHECKPOINT_VARIABLES

#: Small, CPU-friendly hub models per role, used only when the hub is reachable.
HUB_MODELS = {"text": "sentence-transformers/all-MiniLM-L6-v2", "image": "mobilenetv3_small_100",
              "segmentation": "facebook/sam-vit-base"}
#: The small hub model for text an English-only model cannot read (other scripts, several languages).
MULTILINGUAL_HUB_MODEL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
#: Tokenizer vocabularies at least this large cover many scripts (XLM-R 250k, mBERT 119k; English BERT 30k).
MULTILINGUAL_VOCABULARY = 100_000
#: The shortest attempt in which fine-tuning on a CPU is worth trying; shorter attempts use the fallback.
MIN_CPU_SECONDS = 150
#: MultiModalPredictor's model key and checkpoint hyperparameter per role.
MODEL_KEYS = {"text": "hf_text", "image": "timm_image", "segmentation": "sam"}


@dataclass
class Backbone:
    """The model path of one attempt."""

    role: str  # text, image, segmentation
    checkpoint: str | None  # a local folder or a hub name; None: no pretrained backbone, use the fallback
    reason: str  # one sentence: why this model path

    @property
    def pretrained(self) -> bool:
        return self.checkpoint is not None

    @property
    def model_key(self) -> str:
        return MODEL_KEYS[self.role]


def resolve(role: str, environment: dict[str, Any], chosen: str | None = None,
            time_limit: float | None = None, scripts: str = "", kept_s: float = 0.0) -> Backbone:
    """The backbone for ``role`` on the machine ``environment`` describes (``Environment.to_dict()``); ``chosen``
    is the checkpoint tool selection picked, if any; ``time_limit`` the attempt's seconds, of which ``kept_s`` are
    not for fine-tuning; ``scripts`` names the text's letters when an English-only model cannot read it: then only a
    multilingual model is taken."""
    multimodal = environment.get("modules", {}).get("autogluon.multimodal", {})
    if not multimodal.get("importable"):
        return Backbone(role, None, "autogluon.multimodal is not installed here")
    if time_limit is not None and time_limit - kept_s < MIN_CPU_SECONDS and not environment.get("gpu_count"):
        kept = f" and keep {kept_s:.0f} s for the fallback" if kept_s else ""
        return Backbone(role, None, f"{time_limit:.0f} s is too short to fine-tune a pretrained model on CPU{kept} "
                                    f"(it takes at least {MIN_CPU_SECONDS} s)")
    local = local_checkpoint(environment, role, chosen, multilingual=bool(scripts))
    if local is not None:
        what = f" ({local['model']})" if local.get("model") else ""
        return Backbone(role, local["path"], f"local {role} checkpoint{what} from {local['source']}")
    heavy = role == "segmentation" and not environment.get("gpu_count")
    if environment.get("hub_reachable") and not heavy:
        model = MULTILINGUAL_HUB_MODEL if scripts else HUB_MODELS[role]
        return Backbone(role, model, f"the model hub is reachable: the small hub model {model}")
    variable = CHECKPOINT_VARIABLES[role]
    if scripts and local_checkpoint(environment, role) is not None:
        return Backbone(role, None, f"the text has {scripts} and the local {role} checkpoints are English-only "
                                    f"(set ${variable} to a multilingual checkpoint folder)")
    if heavy and environment.get("hub_reachable"):
        why = "no GPU for a hub segmentation model"
    else:
        why = f"the model hub is unreachable ({environment.get('hub_note') or 'offline'})"
    return Backbone(role, None, f"{why} and no local {role} checkpoint (set ${variable} to a checkpoint folder)")


def local_checkpoint(environment: dict[str, Any], role: str, chosen: str | None = None,
                     multilingual: bool = False) -> dict[str, Any] | None:
    """The checkpoint of ``role`` in the environment's list (only multilingual ones with ``multilingual``): the
    ``chosen`` folder if it has that role, else the first one."""
    found = [c for c in environment.get("checkpoints", []) if isinstance(c, dict) and c.get("role") == role
             and (not multilingual or is_multilingual(c))]
    return next((c for c in found if c.get("path") == chosen), found[0] if found else None)


def is_multilingual(checkpoint: dict[str, Any]) -> bool:
    """Whether a checkpoint reads many scripts: its name says multilingual, or its vocabulary is that large."""
    if "multilingual" in f"{checkpoint.get('model', '')} {Path(checkpoint.get('path', '')).name}".lower():
        return True
    try:
        config = json.loads((Path(checkpoint["path"]) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return False
    vocabulary = config.get("vocab_size") if isinstance(config, dict) else None
    return isinstance(vocabulary, int) and vocabulary >= MULTILINGUAL_VOCABULARY


def facts(environment: dict[str, Any]) -> list[str]:
    """Compact lines for a prompt: the local checkpoints, the hub and whether MultiModalPredictor imports."""
    multimodal = environment.get("modules", {}).get("autogluon.multimodal", {})
    lines = [f"autogluon.multimodal importable: {'yes' if multimodal.get('importable') else 'no'}; model hub: "
             + ("reachable" if environment.get("hub_reachable") else
                f"unreachable ({environment.get('hub_note') or 'offline'})")]
    for checkpoint in environment.get("checkpoints", []):
        model = f", holds {checkpoint['model']}" if checkpoint.get("model") else ""
        lines.append(f"local {checkpoint['role']} checkpoint: {checkpoint['path']} ({checkpoint['source']}{model})")
    if len(lines) == 1:
        lines.append("no local checkpoints (" + ", ".join(f"${v}" for v in CHECKPOINT_VARIABLES.values())
                     + " unset)")
    return lines
