"""Vectorized scoring function for the credit card default model.

The model (model/cc_default_model.json, version V1 of CC_DEFAULT_MODEL) is a logistic
regression over a few engineered features. Each feature is standardized with the
training mean and scale; a missing feature contributes nothing (it sits at the mean).
The artifact is imported from the model stage and read once per process.
"""

import json
import math
import os
import sys

import pandas as pd
from _snowflake import vectorized

ARTIFACT = "cc_default_model.json"
_model = None


def _load():
    global _model
    if _model is None:
        import_dir = sys._xoptions["snowflake_import_directory"]
        with open(os.path.join(import_dir, ARTIFACT), encoding="utf-8") as f:
            _model = json.load(f)
    return _model


def _score(model, features):
    z = model["intercept"]
    for name, p in model["features"].items():
        value = (features or {}).get(name)
        if value is None:
            continue
        z += p["weight"] * (float(value) - p["mean"]) / p["scale"]
    return 1.0 / (1.0 + math.exp(-z))


@vectorized(input=pd.DataFrame, max_batch_size=1000)
def predict(batch: pd.DataFrame) -> pd.Series:
    model = _load()
    return batch[0].apply(lambda features: _score(model, features))
