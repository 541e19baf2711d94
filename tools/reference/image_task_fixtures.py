#!/usr/bin/env python3
"""Writes the fixtures of RadLM's image-classification tasks (issue 16, item 5).

* Tests/RadEvalTests/Fixtures/auroc_bootstrap.json: scikit-learn 1.9.1's roc_auc_score on seeded
  scores (with ties) and the percentile bootstrap interval RadLM computes: resample indices
  with NumPy's legacy generator (np.random.RandomState(seed).randint(0, n, n) per resample),
  skip resamples holding one class, NumPy's linear percentiles of the resampled AUROCs.
* Tests/RadVisionTests/Fixtures/imagenet_class_names.json: open_clip 3.3.0's IMAGENET_CLASSNAMES
  (MIT), loaded from the fetched package (~/.cache/radlm/openclip, `radlm fetch openclip`).
* Tests/RadVisionTasksTests/Fixtures/logistic_regression.json: scikit-learn's
  LogisticRegression (L2, newton-cholesky solved to a gradient below 1e-10) on seeded features, its weights,
  intercept and probabilities, which RadLM's linear probe must reach.

* Tests/RadVisionTasksTests/Fixtures/tiny_medmnist.npz and bad_labels.npz: MedMNIST-shaped
  archives (np.savez_compressed, labels (N, 1) uint8) of seeded noise, the second with a label 2.

* Tests/RadVisionTasksTests/Fixtures/csv_records.json: a project-written CSV text (quoted commas,
  doubled quotes, line breaks in fields, CRLF, a byte-order mark) and Python's csv.reader records.

All inputs are generated here from seeds (no data set is read).
Usage: image_task_fixtures.py [REPO_ROOT]
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(HERE, "..", ".."))


def bootstrap(y, s, samples, confidence, seed):
    rng = np.random.RandomState(seed)
    n = len(y)
    aucs = []
    for _ in range(samples):
        idx = rng.randint(0, n, n)
        if len(np.unique(y[idx])) < 2:
            continue
        aucs.append(roc_auc_score(y[idx], s[idx]))
    alpha = (1 - confidence) / 2
    low, high = np.percentile(aucs, [100 * alpha, 100 * (1 - alpha)])
    return float(low), float(high), len(aucs)


def auroc_cases():
    cases = []
    gen = np.random.default_rng(16)
    for n, rate, shift, rounding, samples, seed in [
        (40, 0.3, 1.0, None, 200, 0),
        (156, 0.73, 1.5, 1, 1000, 7),  # BreastMNIST-sized, scores rounded so ties appear
        (12, 0.15, 0.5, None, 300, 3),  # few positives: some resamples hold one class
        (624, 0.625, 0.8, 2, 500, 42),  # PneumoniaMNIST-test-sized
    ]:
        y = (gen.random(n) < rate).astype(np.int64)
        if y.sum() in (0, n):
            y[0] = 1 - y[0]
        s = gen.normal(size=n) + shift * y
        if rounding is not None:
            s = np.round(s, rounding)
        low, high, valid = bootstrap(y, s, samples, 0.95, seed)
        cases.append({
            "truth": y.tolist(), "scores": s.tolist(), "samples": samples, "confidence": 0.95, "seed": seed,
            "auroc": float(roc_auc_score(y, s)), "low": low, "high": high, "valid_samples": valid,
        })
    return cases


def logistic_cases():
    cases = []
    gen = np.random.default_rng(5)
    for n, d, c in [(60, 5, 1.0), (200, 24, 0.1), (150, 40, 10.0)]:
        x = gen.normal(size=(n, d)) * gen.uniform(0.5, 2.0, size=d)
        w = gen.normal(size=d)
        y = (x @ w * 0.5 + gen.normal(size=n) > 0.3).astype(np.int64)
        model = LogisticRegression(C=c, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(x, y)
        cases.append({
            "features": x.tolist(), "labels": y.tolist(), "c": c,
            "weights": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
            "probabilities": model.predict_proba(x)[:, 1].tolist(),
        })
    return cases


def tiny_npz(path, bad=False):
    gen = np.random.default_rng(28)
    arrays = {}
    for split, n in [("train", 8), ("val", 4), ("test", 6)]:
        arrays[f"{split}_images"] = gen.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 2).astype(np.uint8).reshape(n, 1)
        if bad and split == "val":
            labels[1, 0] = 2
        arrays[f"{split}_labels"] = labels
    np.savez_compressed(path, **arrays)
    print("wrote", path)
    return {split: {"count": int(arrays[f"{split}_images"].shape[0]),
                    "labels": arrays[f"{split}_labels"].ravel().tolist(),
                    "pixel_sum": int(arrays[f"{split}_images"].astype(np.int64).sum()),
                    "first_pixels": arrays[f"{split}_images"][0, 0, :5].tolist()}
            for split in ["train", "val", "test"]}


CSV_TEXT = ('\ufeffpatientid,finding,clinical_notes\r\n'
            '1,No Finding,\r\n'
            '2,Pneumonia,"Patchy opacity, right lower lobe; ""improving"" since prior."\r\n'
            '3,ARDS,"Line one\nline two"\n'
            '4,,trailing\n')


def csv_records():
    import csv
    import io
    text = CSV_TEXT.lstrip("\ufeff")
    return {"text": CSV_TEXT, "records": [row for row in csv.reader(io.StringIO(text, newline=""))]}


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f)
    print("wrote", path)


def imagenet_names():
    import importlib.util
    path = os.path.expanduser("~/.cache/radlm/openclip/open_clip/zero_shot_metadata.py")
    spec = importlib.util.spec_from_file_location("zero_shot_metadata", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.IMAGENET_CLASSNAMES)


if __name__ == "__main__":
    versions = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}
    write(os.path.join(ROOT, "Tests/RadEvalTests/Fixtures/auroc_bootstrap.json"),
          {"versions": versions, "cases": auroc_cases()})
    write(os.path.join(ROOT, "Tests/RadVisionTests/Fixtures/imagenet_class_names.json"),
          {"source": "open-clip-torch 3.3.0 open_clip/zero_shot_metadata.py (MIT)", "names": imagenet_names()})
    write(os.path.join(ROOT, "Tests/RadVisionTasksTests/Fixtures/logistic_regression.json"),
          {"versions": versions, "cases": logistic_cases()})
    write(os.path.join(ROOT, "Tests/RadVisionTasksTests/Fixtures/csv_records.json"), csv_records())
    write(os.path.join(ROOT, "Tests/RadVisionTasksTests/Fixtures/tiny_medmnist.json"),
          tiny_npz(os.path.join(ROOT, "Tests/RadVisionTasksTests/Fixtures/tiny_medmnist.npz")))
    tiny_npz(os.path.join(ROOT, "Tests/RadVisionTasksTests/Fixtures/bad_labels.npz"), bad=True)
