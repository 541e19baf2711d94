"""Writes data/synthetic_reports.jsonl: project-written synthetic radiology reports.

Every sentence here was written by the RadLM team from templates (no real patient text and no
third-party report text), so the corpus can be committed and used freely for smoke training,
tests and examples. Deterministic: the same seed gives the same file.
"""
import json
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
rng = random.Random(20261128)

SIDES = ["right", "left", "bilateral"]
LOBES = ["upper lobe", "middle lobe", "lower lobe", "lingula"]
SIZES = ["4 mm", "6 mm", "8 mm", "1.2 cm", "1.8 cm", "2.4 cm", "3 x 2.1 cm"]
INDICATIONS = [
    "Cough and fever.", "Shortness of breath.", "Chest pain.", "Follow-up of known nodule.",
    "Preoperative evaluation.", "Staging of lung cancer.", "Evaluation for pneumonia.",
    "History of lymphoma, restaging.", "Trauma.", "Hypoxia.",
]
NORMAL_FINDINGS = [
    "The lungs are clear.", "There is no focal consolidation.", "No pleural effusion or pneumothorax.",
    "The cardiomediastinal silhouette is within normal limits.", "Heart size is normal.",
    "The osseous structures are intact.", "No acute bony abnormality.",
]
ABNORMAL = {
    "pneumonia": (
        "There is airspace consolidation in the {side} {lobe}.",
        "{Side} {lobe} pneumonia.",
    ),
    "effusion": (
        "There is a {amount} {side} pleural effusion.",
        "{Amount} {side} pleural effusion.",
    ),
    "cardiomegaly": (
        "The cardiac silhouette is enlarged.",
        "Cardiomegaly.",
    ),
    "edema": (
        "There is interstitial edema with vascular congestion.",
        "Mild pulmonary edema.",
    ),
    "nodule": (
        "A {size} nodule is present in the {side} {lobe}.",
        "{Size} {side} {lobe} nodule; follow-up CT is recommended.",
    ),
    "atelectasis": (
        "Linear opacity at the {side} base is compatible with atelectasis.",
        "{Side} basilar atelectasis.",
    ),
    "pneumothorax": (
        "There is a small {side} apical pneumothorax.",
        "Small {side} pneumothorax.",
    ),
}
PET_TRACERS = ["F-18 FDG", "Ga-68 DOTATATE", "F-18 PSMA-1007"]
PET_REGIONS = ["right hilar lymph node", "left axillary lymph node", "liver segment VII",
               "L4 vertebral body", "mediastinal lymph node", "right iliac bone"]


def chest_report():
    findings, impressions = [], []
    picks = rng.sample(sorted(ABNORMAL), k=rng.choice([0, 0, 1, 1, 2]))
    for name in picks:
        side, lobe = rng.choice(SIDES[:2]), rng.choice(LOBES)
        amount, size = rng.choice(["small", "moderate", "large"]), rng.choice(SIZES)
        fields = dict(side=side, lobe=lobe, amount=amount, size=size, Side=side.capitalize(),
                      Amount=amount.capitalize(), Size=size)
        finding, impression = ABNORMAL[name]
        findings.append(finding.format(**fields))
        impressions.append(impression.format(**fields))
    findings += rng.sample(NORMAL_FINDINGS, k=rng.randint(2, 4))
    if not impressions:
        impressions.append(rng.choice(["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                                       "Normal chest radiograph."]))
    view = rng.choice(["PA and lateral views of the chest.", "Single AP portable view of the chest."])
    comparison = rng.choice(["None.", "Prior radiograph from 3 months earlier.", "CT chest from last year."])
    return {
        "modality": "chest radiograph",
        "indication": rng.choice(INDICATIONS),
        "technique": view,
        "comparison": comparison,
        "findings": " ".join(findings),
        "impression": " ".join(impressions),
    }


def pet_report():
    tracer = rng.choice(PET_TRACERS)
    glucose = rng.randint(78, 140)
    lesions = rng.sample(PET_REGIONS, k=rng.randint(0, 3))
    findings = [f"{tracer} PET/CT from skull base to mid-thigh, uptake time {rng.randint(55, 75)} minutes, "
                f"blood glucose {glucose} mg/dL.",
                f"Mediastinal blood pool SUVmax {rng.uniform(1.4, 2.2):.1f}, liver SUVmax {rng.uniform(2.2, 3.4):.1f}."]
    for region in lesions:
        findings.append(f"Focal uptake in the {region}, SUVmax {rng.uniform(2.5, 18):.1f}, measuring {rng.choice(SIZES)}.")
    if lesions:
        score = rng.choice([4, 5])
        impression = f"Hypermetabolic disease in the {', '.join(lesions)}; Deauville {score}."
    else:
        impression = f"No hypermetabolic disease; complete metabolic response, Deauville {rng.choice([1, 2, 3])}."
    return {
        "modality": "PET/CT",
        "indication": rng.choice(INDICATIONS),
        "technique": f"{rng.uniform(3.0, 5.0):.1f} MBq/kg {tracer} intravenously.",
        "comparison": rng.choice(["None.", "PET/CT from 4 months earlier."]),
        "findings": " ".join(findings),
        "impression": impression,
    }


def main():
    out = ROOT / "data" / "synthetic_reports.jsonl"
    with out.open("w") as handle:
        for index in range(600):
            report = chest_report() if index % 4 else pet_report()
            report["id"] = f"synthetic-{index:04d}"
            handle.write(json.dumps(report, sort_keys=True) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
