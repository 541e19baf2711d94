#!/usr/bin/env python3
"""Writes the expert-review fixtures for RadClinical (Tests/RadClinicalTests/Fixtures/review/).

Reference: scikit-learn 1.9.1's `cohen_kappa_score` (weights None, "linear", "quadratic") and
numpy means. Writes:
  * kappa.json: seeded rating pairs (and edge cases) with sklearn's three kappas;
  * rater_a.csv, rater_b.csv, rater_c.csv: review sheets in the layout `radlm review export`
    writes (id, findings, reference, then per variant: NAME, NAME flags, NAME correctness,
    NAME completeness, NAME harm), filled with seeded ratings, some left blank, with
    project-written synthetic findings (no Indiana University text);
  * summary.json: what `radlm review import` must report for the three sheets: per variant and
    criterion the mean rating and count over every rater, and per criterion and pair of raters
    the kappas over the (report, variant) items both rated.

Usage: review_fixtures.py [OUT_DIR]   (default: Tests/RadClinicalTests/Fixtures/review)
"""
import csv
import itertools
import json
import math
import os
import random
import sys

import numpy as np
from sklearn.metrics import cohen_kappa_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

CRITERIA = [("correctness", 1, 5), ("completeness", 1, 5), ("harm", 0, 2)]
VARIANTS = ["zero-shot", "few-shot", "lora"]

# Written for RadLM: synthetic chest X-ray findings and impressions, with commas, quotes and a
# line break on purpose so that CSV quoting is exercised.
REPORTS = [
    ("The heart is normal in size. The lungs are clear.", "No acute cardiopulmonary abnormality."),
    ("Small left pleural effusion. Left basilar atelectasis.", "Small left effusion with atelectasis."),
    ("Right upper lobe opacity, concerning for pneumonia.", "Right upper lobe pneumonia."),
    ("Heart size is enlarged. Pulmonary vascular congestion.", "Cardiomegaly with mild congestion."),
    ('Nodule, "8 mm", in the left lower lobe.\nNo effusion.', "8 mm left lower lobe nodule; CT advised."),
    ("Endotracheal tube 4 cm above the carina.", "Tube in good position."),
    ("Hyperinflated lungs. Flattened diaphragms.", "Findings of COPD."),
    ("Healed right rib fractures. Lungs clear.", "No acute disease. Old rib fractures."),
    ("Mild degenerative changes of the spine.", "No acute findings."),
    ("Bilateral lower lobe opacities.", "Bibasilar opacities, atelectasis or infection."),
    ("Left pneumothorax, small apical.", "Small left apical pneumothorax."),
    ("Stable calcified granuloma right midlung.", "No active disease."),
]

OUTPUTS = {
    "zero-shot": lambda f, i: "The findings show " + f.split(".")[0].lower() + ".",
    "few-shot": lambda f, i: i.replace("Small", "Tiny") if "Small" in i else i,
    "lora": lambda f, i: i,
}


def kappas(a, b):
    out = {}
    for name, weights in (("unweighted", None), ("linear", "linear"), ("quadratic", "quadratic")):
        value = float(cohen_kappa_score(a, b, weights=weights))
        out[name] = None if math.isnan(value) else value
    return out


def kappa_cases():
    rng = random.Random(15)
    cases = []
    for n, labels, agreement in [(10, [1, 2, 3], 0.6), (40, [1, 2, 3, 4, 5], 0.5), (25, [0, 1, 2], 0.8),
                                 (60, [1, 2, 3, 4, 5], 0.2), (7, [2, 5, 9], 0.5), (30, [0, 1], 0.7)]:
        a = [rng.choice(labels) for _ in range(n)]
        b = [x if rng.random() < agreement else rng.choice(labels) for x in a]
        cases.append({"a": a, "b": b, **kappas(a, b)})
    cases.append({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], **kappas([1, 2, 3, 4], [1, 2, 3, 4])})
    cases.append({"a": [1, 1, 2, 2], "b": [2, 2, 1, 1], **kappas([1, 1, 2, 2], [2, 2, 1, 1])})
    cases.append({"a": [3, 3, 3], "b": [3, 3, 3], **kappas([3, 3, 3], [3, 3, 3])})
    cases.append({"a": [1, 5, 5, 1, 3], "b": [1, 4, 5, 2, 3], **kappas([1, 5, 5, 1, 3], [1, 4, 5, 2, 3])})
    return cases


def write_sheets(out_dir):
    header = ["id", "findings", "reference"]
    for variant in VARIANTS:
        header += [variant, f"{variant} flags"] + [f"{variant} {c}" for c, _, _ in CRITERIA]
    truth = {}
    rng = random.Random(2026)
    for rid in range(len(REPORTS)):
        for variant in VARIANTS:
            for criterion, low, high in CRITERIA:
                truth[(rid, variant, criterion)] = rng.randint(low, high)
    sheets = {}
    for rater, noise in (("rater_a", 0.15), ("rater_b", 0.35), ("rater_c", 0.5)):
        rng = random.Random(rater)
        rows = []
        for rid, (findings, impression) in enumerate(REPORTS):
            row = [str(1000 + rid * 10), findings, impression]
            for variant in VARIANTS:
                flags = "unsupported claim" if variant == "zero-shot" and rid % 3 == 0 else ""
                row += [OUTPUTS[variant](findings, impression), flags]
                for criterion, low, high in CRITERIA:
                    value = truth[(rid, variant, criterion)]
                    if rng.random() < noise:
                        value = min(high, max(low, value + rng.choice([-1, 1, 2])))
                    blank = rng.random() < 0.08
                    row.append("" if blank else (f" {value} " if rid == 4 else str(value)))
            rows.append(row)
        path = os.path.join(out_dir, f"{rater}.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header] + rows)
        sheets[rater] = rows
    return header, sheets


def summarise(header, sheets):
    column = {name: i for i, name in enumerate(header)}
    ratings = {}  # (rater, id, variant, criterion) -> int
    for rater, rows in sheets.items():
        for row in rows:
            for variant in VARIANTS:
                for criterion, _, _ in CRITERIA:
                    text = row[column[f"{variant} {criterion}"]].strip()
                    if text:
                        ratings[(rater, row[0], variant, criterion)] = int(text)
    means = []
    for variant in VARIANTS:
        entry = {"variant": variant}
        for criterion, _, _ in CRITERIA:
            values = [v for (r, i, var, c), v in ratings.items() if var == variant and c == criterion]
            entry[criterion] = {"mean": float(np.mean(values)), "n": len(values)}
        means.append(entry)
    agreement = []
    raters = sorted(sheets)
    for criterion, _, _ in CRITERIA:
        for first, second in itertools.combinations(raters, 2):
            keys = sorted({(i, var) for (r, i, var, c) in ratings if r == first and c == criterion}
                          & {(i, var) for (r, i, var, c) in ratings if r == second and c == criterion})
            a = [ratings[(first, i, var, criterion)] for i, var in keys]
            b = [ratings[(second, i, var, criterion)] for i, var in keys]
            agreement.append({"criterion": criterion, "raters": [first, second], "n": len(keys), **kappas(a, b)})
    return {"variants": means, "agreement": agreement}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "RadClinicalTests", "Fixtures", "review")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "kappa.json"), "w") as f:
        json.dump({"cases": kappa_cases()}, f, indent=1)
        f.write("\n")
    header, sheets = write_sheets(out_dir)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summarise(header, sheets), f, indent=1)
        f.write("\n")
    print(f"wrote review fixtures to {out_dir}")


if __name__ == "__main__":
    main()
