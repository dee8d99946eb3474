"""Model families of AutoGluon by the names people and error messages use."""

from __future__ import annotations

import re

#: Tabular model keys (TabularPredictor's hyperparameters) by the names users and libraries use.
TABULAR_MODELS = {
    "lightgbm": "GBM", "lgbm": "GBM", "gbm": "GBM", "catboost": "CAT", "xgboost": "XGB",
    "random forest": "RF", "randomforest": "RF", "extra trees": "XT", "extratrees": "XT", "knn": "KNN",
    "nearest neighbors": "KNN", "neural network": "NN_TORCH", "neural net": "NN_TORCH", "fastai": "FASTAI",
    "linear": "LR", "logistic regression": "LR",
}

#: Forecasting models (TimeSeriesPredictor's hyperparameters) by lower-case name.
FORECASTING_MODELS = {
    "naive": "Naive", "seasonal naive": "SeasonalNaive", "seasonalnaive": "SeasonalNaive", "ets": "ETS",
    "theta": "Theta", "arima": "AutoARIMA", "deepar": "DeepAR", "tft": "TemporalFusionTransformer",
    "patchtst": "PatchTST", "recursive tabular": "RecursiveTabular", "direct tabular": "DirectTabular",
    "recursivetabular": "RecursiveTabular", "directtabular": "DirectTabular", "chronos": "Chronos",
}

#: What a missing Python package takes away: tabular model keys and forecasting models.
PACKAGE_MODELS: dict[str, tuple[list[str], list[str]]] = {
    "lightgbm": (["GBM"], ["RecursiveTabular", "DirectTabular"]),
    "catboost": (["CAT"], []),
    "xgboost": (["XGB"], []),
    "fastai": (["FASTAI"], []),
    "torch": (["NN_TORCH", "FASTAI", "REALMLP", "TABM", "FT_TRANSFORMER"],
              ["DeepAR", "TemporalFusionTransformer", "PatchTST", "TiDE", "DLinear", "SimpleFeedForward", "WaveNet",
               "Chronos", "Chronos2", "Toto", "Toto2"]),
    "statsforecast": ([], ["ETS", "Theta", "AutoETS", "AutoARIMA", "DynamicOptimizedTheta", "AutoCES"]),
}

#: Models that download pretrained weights from a model hub.
TABULAR_HUB_MODELS = ["TABPFNV2", "REALTABPFN-V2", "REALTABPFN-V2.5", "TABPFN-2.6", "TABPFN-3", "TABPFNMIX", "MITRA",
                      "TABICL", "TABDPT", "TABDPT-TURBO", "AG_TEXT_NN", "AG_IMAGE_NN", "AG_AUTOMM"]
FORECASTING_HUB_MODELS = ["Chronos", "Chronos2", "Toto", "Toto2"]

#: Quick, light model sets for "faster" requests and tight budgets.
LIGHT_TABULAR = {"GBM": {}, "XT": {}}
LIGHT_FORECASTING = {"SeasonalNaive": {}, "RecursiveTabular": {}}

#: Quality presets of both predictors, from lightest to heaviest.
PRESET_LADDER = ["medium_quality", "good_quality", "high_quality", "best_quality"]


def mentioned(text: str, names: dict[str, str]) -> list[str]:
    """The model keys whose names appear in ``text`` (lower case, whole words), in order, without repeats."""
    found: list[str] = []
    for name, key in sorted(names.items(), key=lambda item: -len(item[0])):
        if re.search(rf"\b{re.escape(name)}\b", text) and key not in found:
            found.append(key)
    return found
