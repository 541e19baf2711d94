#!/usr/bin/env python3
"""Writes evaluation-metric parity fixtures for RadEval (Tests/RadEvalTests/Fixtures/).

Reference implementations (pinned in requirements.txt): rouge-score 0.1.2 (with NLTK's
PorterStemmer), sacrebleu 2.6.0, pycocoevalcap 1.2, scikit-learn 1.9.1, numpy.

Inputs:
  * project-written radiology sentence pairs (PROJECT_PAIRS below, written for RadLM), and
  * radiology figure captions from ROCO / PubMed Central that are CC BY (read from
    ../shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl); every caption used keeps its
    roco_id, PMC image name and licence in the fixture ("attribution" field). Hypotheses for the
    captions are made by a seeded word-level perturbation of the caption.
No Indiana University text is read.

Usage: metric_fixtures.py [OUT_DIR]   (default: Tests/RadEvalTests/Fixtures)
"""
import json
import math
import os
import random
import sys

import nltk
import numpy as np
import rouge_score
import sacrebleu
import sklearn
from nltk.stem.porter import PorterStemmer
from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.rouge.rouge import Rouge
from rouge_score import rouge_scorer, scoring
from sklearn import metrics as skm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHARED_TEXT = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "text",
                                            "roco_radiology_captions_test_val_CCBY.jsonl"))

# Written for RadLM (reference, hypothesis). Edge cases on purpose: empty strings, numbers,
# unicode, punctuation runs, HTML entities, hyphenation at line ends, newlines (ROUGE-Lsum).
PROJECT_PAIRS = [
    ("No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality."),
    ("Small bilateral pleural effusions with bibasilar atelectasis.",
     "Bilateral small pleural effusion and bibasilar atelectasis."),
    ("Heart size is normal. The lungs are clear without focal consolidation.",
     "Normal heart size; lungs clear, no consolidation."),
    ("Interval increase in right upper lobe opacity, concerning for pneumonia.",
     "Increased opacity in the right upper lobe which may represent pneumonia."),
    ("Endotracheal tube terminates 4.5 cm above the carina.\nNasogastric tube courses below the diaphragm.",
     "ET tube 4.5 cm above carina.\nEnteric tube tip in the stomach."),
    ("Stable 3.5 cm left upper-lobe mass (SUVmax 12.4), Deauville 4.",
     "Left upper lobe mass measuring 3.5 cm, SUVmax 12.4; Deauville score 4."),
    ("Moderate cardiomegaly.\nMild pulmonary vascular congestion.\nNo pneumothorax.",
     "Cardiomegaly with mild vascular congestion.\nNo pneumothorax or effusion."),
    ("", "Lungs are clear."),
    ("Lungs are clear.", ""),
    ("", ""),
    ("   ", "No change."),
    ("Opacities unchanged — café-au-lait spots noted; ±2 mm nodule at 10:30 o'clock.",
     "Unchanged opacities, cafe au lait spots. 2-mm nodule."),
    ("Degenerative changes of the thoracic spine & mild dextroscoliosis &amp; osteopenia.",
     "Mild thoracic degenerative change &amp; dextroscoliosis &lt;stable&gt;."),
    ("Hyperinflated lungs, flattened hemidiaphragms: consistent with COPD!!",
     "Hyperinflation of the lungs consistent with emphysema..."),
    ("The PICC line tip projects over the cavoatrial junction / right atrium.",
     "Right PICC with tip at the cavoatrial junction."),
    ("Findings: 1,234 mL effusion?? No. 2.5x3.0 cm nodule -- recommend follow-up CT in 3-6 months.",
     "Large effusion. A 2.5 x 3.0 cm nodule; follow-up CT in 3 to 6 months is recommended."),
    ("Generalized lymphadenopathy; hypermetabolic nodes decreased in size and metabolic activity.",
     "Decreasing hypermetabolic lymphadenopathy, generally smaller nodes."),
    ("No evidence of fracture or dislocation. Soft tissues unremarkable.",
     "No fracture. No dislocation. Unremarkable soft tissues."),
    ("Lying supine, the patient's skies... dying flies spied.",
     "Supine lying; flies died, skies news."),
    ("Bibasilar atelectasis versus consolidation.\n\nClinical correlation recommended.",
     "Bibasilar opacities may represent atelectasis or consolidation.\nCorrelate clinically."),
    ("MRI: T2/FLAIR hyperintensity in the left frontal lobe, 12x8 mm.",
     "T2 FLAIR hyperintense focus, left frontal lobe (12 × 8 mm)."),
    ("İstanbul KELVIN test Kelvin ﬁbrosis Straße",
     "istanbul kelvin test kelvin fibrosis strasse"),
    ("the the the the cat", "the cat the cat the"),
    ("a b c d e f g h", "h g f e d c b a"),
]

# Several references per hypothesis (BLEU/chrF/ROUGE multi-reference).
PROJECT_MULTI = [
    (["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality.",
      "Normal chest radiograph."], "No acute cardiopulmonary disease."),
    (["Mild cardiomegaly.", "The heart is mildly enlarged."], "Heart mildly enlarged with cardiomegaly."),
    (["Right lower lobe pneumonia.", "Right basilar consolidation, likely pneumonia.",
      "Pneumonia in the right lower lobe."], "Right lower lobe consolidation consistent with pneumonia."),
    (["Small left pleural effusion."], "Left effusion, small."),
]

WORDS_FOR_STEMMER = """effusions effusion opacities opacity atelectasis cardiomegaly consolidation
consolidative pneumothorax unchanged lying dying skies pleural nodules nodular hypermetabolic metastases
metastatic enlarged increased decreased measuring generalization ties dies flies spied died hopefully
fully analogousli geology news was is as its caresses ponies ties caress cats feed agreed plastered
bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing happy
sky relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli
vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness
formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful
goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize
probate rate cease controll roll innings outings cannings howe proceed exceed succeed tying enjoy spy
fly try yyyy yelled toying syzygy quietly fullness eventual logically archaeology theology biology
bibasilar bilateral interstitial reticulonodular radiograph radiographic radiography radiologist
calcified calcification calcifications granulomatous hyperinflation hyperinflated emphysematous
degenerative osteophytes osteopenia scoliosis kyphosis atherosclerotic tortuous ectatic aneurysmal
hemidiaphragm costophrenic cardiomediastinal mediastinum hilar perihilar peribronchial bronchiectasis
pneumoperitoneum subcutaneous postoperative sternotomy cholecystectomy tracheostomy endotracheal
nasogastric catheter catheters pacemaker defibrillator leads terminates terminating projects projecting
visualized visualization demonstrates demonstrated demonstrating suggestive suggesting suggests
compatible consistent likely possibly probable questionable recommended recommend correlation
clinically follow evaluation evaluated evaluating hyperdense hypodense hypoattenuating enhancing
enhancement heterogeneous homogeneous lymphadenopathy adenopathy splenomegaly hepatomegaly
deauville fdg suvmax uptake avid avidity physiologic physiological metabolically""".split()


def sanitize(x):
    """JSON-safe floats: nan/inf become strings the Swift side understands."""
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, (np.floating,)):
        return sanitize(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, dict):
        return {k: sanitize(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [sanitize(v) for v in x]
    if isinstance(x, np.ndarray):
        return sanitize(x.tolist())
    return x


def load_caption_pairs(n=40, seed=1234):
    """Caption pairs: (caption, seeded perturbation of caption) and a few caption-vs-other pairs."""
    rows = []
    with open(SHARED_TEXT, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("license") == "CC BY" and 20 <= len(r["caption"]) <= 400:
                rows.append(r)
    rng = random.Random(seed)
    picked = rng.sample(rows, n)
    pairs, attribution = [], []
    for i, r in enumerate(picked):
        ref = r["caption"]
        words = ref.split()
        if i % 5 == 4:
            hyp = picked[(i + 1) % n]["caption"]  # unrelated caption
        else:
            out = []
            for w in words:
                u = rng.random()
                if u < 0.12:
                    continue  # drop
                if u < 0.2:
                    out.append(w.lower())
                elif u < 0.26 and out:
                    out.insert(len(out) - 1, w)  # local swap
                else:
                    out.append(w)
            if rng.random() < 0.3:
                out.append("No other findings.")
            hyp = " ".join(out)
        pairs.append((ref, hyp))
        attribution.append({"roco_id": r["roco_id"], "pmc_image": r["pmc_image"],
                            "license": r["license"], "source": "ROCO (PubMed Central Open Access)"})
    return pairs, attribution


GOOGLE_ROUGE_TESTDATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "reference",
                                                     "metrics", "rouge_testdata"))


def google_rouge_pairs():
    """google-research rouge's own test inputs (random strings; Apache-2.0): t.json and the
    line-paired target.txt / prediction.txt."""
    with open(os.path.join(GOOGLE_ROUGE_TESTDATA, "t.json"), encoding="utf-8") as f:
        t = json.load(f)
    pairs = [(t["target"], t["prediction"])]
    with open(os.path.join(GOOGLE_ROUGE_TESTDATA, "target.txt"), encoding="utf-8") as f:
        targets = f.read().split("\n")
    with open(os.path.join(GOOGLE_ROUGE_TESTDATA, "prediction.txt"), encoding="utf-8") as f:
        predictions = f.read().split("\n")
    pairs += [(a, b) for a, b in zip(targets, predictions)]
    pairs.append(("\n".join(targets), "\n".join(predictions)))  # multi-line: ROUGE-Lsum
    return pairs


def rouge_block(pairs, multi):
    out = {"version": rouge_score.__version__ if hasattr(rouge_score, "__version__") else "0.1.2",
           "types": ["rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum"], "cases": []}
    for stem in (False, True):
        sc = rouge_scorer.RougeScorer(out["types"], use_stemmer=stem)
        tok = sc._tokenizer
        for ref, hyp in pairs + google_rouge_pairs():
            s = sc.score(ref, hyp)
            out["cases"].append({
                "stem": stem, "references": [ref], "hypothesis": hyp,
                "tokens_reference": tok.tokenize(ref), "tokens_hypothesis": tok.tokenize(hyp),
                "scores": {k: [v.precision, v.recall, v.fmeasure] for k, v in s.items()}})
        for refs, hyp in multi:
            s = sc.score_multi(refs, hyp)
            out["cases"].append({
                "stem": stem, "references": refs, "hypothesis": hyp,
                "scores": {k: [v.precision, v.recall, v.fmeasure] for k, v in s.items()}})
    # Seeded bootstrap: np.random.seed then BootstrapAggregator over the default 4 types.
    boot = []
    for seed, stem in ((0, False), (42, True)):
        types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
        sc = rouge_scorer.RougeScorer(types, use_stemmer=stem)
        agg = scoring.BootstrapAggregator()
        per = []
        for ref, hyp in pairs:
            s = sc.score(ref, hyp)
            agg.add_scores(s)
            per.append(s)
        np.random.seed(seed)
        res = agg.aggregate()
        means = {k: [sum(getattr(p[k], a) for p in per) / len(per) for a in ("precision", "recall", "fmeasure")]
                 for k in types}
        boot.append({"seed": seed, "stem": stem, "types": types,
                     "low": {k: list(res[k].low) for k in types},
                     "mid": {k: list(res[k].mid) for k in types},
                     "high": {k: list(res[k].high) for k in types},
                     "mean": means})
    out["bootstrap"] = boot
    np.random.seed(7)
    out["randint_seed7_n37"] = [int(v) for v in np.random.choice(np.arange(37), size=50)]
    return out


def bleu_block(pairs, multi):
    hyps = [h for _, h in pairs]
    refs = [r for r, _ in pairs]
    out = {"version": sacrebleu.__version__, "corpus": [], "sentence": [], "multi": []}
    configs = []
    for tok in ("13a", "intl", "char", "none"):
        for smooth, val in (("exp", None), ("floor", None), ("floor", 0.3), ("add-k", None),
                            ("add-k", 2), ("none", None)):
            for eff in (False, True):
                configs.append((tok, smooth, val, eff))
    for tok, smooth, val, eff in configs:
        b = sacrebleu.metrics.BLEU(tokenize=tok, smooth_method=smooth, smooth_value=val,
                                   effective_order=eff)
        s = b.corpus_score(hyps, [refs])
        out["corpus"].append({"tokenize": tok, "smooth": smooth, "smooth_value": val,
                              "effective_order": eff, "score": s.score, "counts": list(s.counts),
                              "totals": list(s.totals), "precisions": list(s.precisions),
                              "bp": s.bp, "sys_len": s.sys_len, "ref_len": s.ref_len,
                              "signature": str(b.get_signature())})
        if smooth in ("exp", "floor", "none") and val is None:
            sb = sacrebleu.metrics.BLEU(tokenize=tok, smooth_method=smooth, effective_order=True)
            out["sentence"].append({"tokenize": tok, "smooth": smooth,
                                    "scores": [sb.sentence_score(h, [r]).score for r, h in pairs]})
    for tok in ("13a", "intl", "char", "none"):
        b = sacrebleu.metrics.BLEU(tokenize=tok, lowercase=True)
        s = b.corpus_score(hyps, [refs])
        out["corpus"].append({"tokenize": tok, "smooth": "exp", "smooth_value": None,
                              "effective_order": False, "lowercase": True, "score": s.score,
                              "counts": list(s.counts), "totals": list(s.totals),
                              "precisions": list(s.precisions), "bp": s.bp, "sys_len": s.sys_len,
                              "ref_len": s.ref_len, "signature": str(b.get_signature())})
    # several references; one stream per reference position, padded with None for variable counts
    mh = [h for _, h in multi]
    k = max(len(r) for r, _ in multi)
    streams = [[r[i] if i < len(r) else None for r, _ in multi] for i in range(k)]
    b = sacrebleu.metrics.BLEU()
    s = b.corpus_score(mh, streams)
    out["multi"].append({"references": [r for r, _ in multi], "hypotheses": mh, "score": s.score,
                         "counts": list(s.counts), "totals": list(s.totals), "sys_len": s.sys_len,
                         "ref_len": s.ref_len, "signature": str(b.get_signature()),
                         "sentence": [sacrebleu.sentence_bleu(h, r).score for r, h in multi]})
    # tokenizer outputs, so a failure points at the tokenizer and not at the counting
    toks = {}
    for tok in ("13a", "intl", "char", "none"):
        t = sacrebleu.metrics.BLEU(tokenize=tok).tokenizer
        toks[tok] = [t(x.rstrip()) for pair in pairs for x in pair]
    out["tokenized"] = toks
    return out


def chrf_block(pairs, multi):
    hyps = [h for _, h in pairs]
    refs = [r for r, _ in pairs]
    out = {"corpus": [], "multi": []}
    for word_order in (0, 2):
        for ws in (False, True):
            for eps in (False, True):
                c = sacrebleu.metrics.CHRF(word_order=word_order, whitespace=ws, eps_smoothing=eps)
                s = c.corpus_score(hyps, [refs])
                out["corpus"].append({"word_order": word_order, "whitespace": ws, "eps_smoothing": eps,
                                      "score": s.score, "name": s.name,
                                      "signature": str(c.get_signature()),
                                      "sentence": [c.sentence_score(h, [r]).score for r, h in pairs]})
    for word_order in (0, 2):
        c = sacrebleu.metrics.CHRF(word_order=word_order, lowercase=True)
        s = c.corpus_score(hyps, [refs])
        out["corpus"].append({"word_order": word_order, "whitespace": False, "eps_smoothing": False,
                              "lowercase": True, "score": s.score, "name": s.name,
                              "signature": str(c.get_signature()),
                              "sentence": [c.sentence_score(h, [r]).score for r, h in pairs]})
    mh = [h for _, h in multi]
    k = max(len(r) for r, _ in multi)
    streams = [[r[i] if i < len(r) else None for r, _ in multi] for i in range(k)]
    for word_order in (0, 2):
        c = sacrebleu.metrics.CHRF(word_order=word_order)
        s = c.corpus_score(mh, streams)
        out["multi"].append({"word_order": word_order, "score": s.score,
                             "signature": str(c.get_signature()),
                             "sentence": [c.sentence_score(h, r).score for r, h in multi]})
    return out


def coco_block(pairs, multi):
    allp = [([r], h) for r, h in pairs] + list(multi)
    # pycocoevalcap asserts non-empty lists; empty strings are allowed.
    gts = {i: refs for i, (refs, _) in enumerate(allp)}
    res = {i: [h] for i, (_, h) in enumerate(allp)}
    bleu, bleu_per = Bleu(4).compute_score(gts, res, verbose=0)
    rouge, rouge_per = Rouge().compute_score(gts, res)
    return {"pairs": [{"references": r, "hypothesis": h} for r, h in allp],
            "bleu": list(bleu), "bleu_per_pair": [list(x) for x in bleu_per],
            "rougeL": float(rouge), "rougeL_per_pair": [float(x) for x in rouge_per]}


def classification_block():
    rng = np.random.RandomState(2024)
    out = {"sklearn_version": sklearn.__version__, "multiclass": [], "binary": [], "multilabel": []}
    for n, k in ((30, 3), (57, 5), (12, 4)):
        y = rng.randint(0, k, size=n)
        p = np.where(rng.rand(n) < 0.6, y, rng.randint(0, k, size=n))
        entry = {"y_true": y.tolist(), "y_pred": p.tolist(), "labels": list(range(k)),
                 "accuracy": skm.accuracy_score(y, p),
                 "confusion": skm.confusion_matrix(y, p, labels=list(range(k))).tolist()}
        for avg in ("micro", "macro", "weighted"):
            pr, rc, f1, _ = skm.precision_recall_fscore_support(y, p, average=avg, zero_division=0,
                                                                labels=list(range(k)))
            entry[avg] = [pr, rc, f1]
        pr, rc, f1, sup = skm.precision_recall_fscore_support(y, p, average=None, zero_division=0,
                                                             labels=list(range(k)))
        entry["per_class"] = {"precision": pr.tolist(), "recall": rc.tolist(), "f1": f1.tolist(),
                              "support": sup.tolist()}
        out["multiclass"].append(entry)
    for n in (20, 51, 200):
        y = rng.randint(0, 2, size=n)
        s = np.round(y * 0.3 + rng.rand(n), 2)  # rounded: ties on purpose
        out["binary"].append({"y_true": y.tolist(), "scores": s.tolist(),
                              "roc_auc": skm.roc_auc_score(y, s),
                              "average_precision": skm.average_precision_score(y, s)})
    for n, L in ((25, 6), (40, 14)):
        Y = (rng.rand(n, L) < 0.3).astype(int)
        P = np.where(rng.rand(n, L) < 0.75, Y, 1 - Y)
        S = np.round(Y * 0.4 + rng.rand(n, L), 2)
        e = {"y_true": Y.tolist(), "y_pred": P.tolist(), "scores": S.tolist()}
        for avg in ("micro", "macro", "weighted", "samples"):
            pr, rc, f1, _ = skm.precision_recall_fscore_support(Y, P, average=avg, zero_division=0)
            e[avg] = [pr, rc, f1]
        pr, rc, f1, sup = skm.precision_recall_fscore_support(Y, P, average=None, zero_division=0)
        e["per_label"] = {"precision": pr.tolist(), "recall": rc.tolist(), "f1": f1.tolist(),
                          "support": sup.tolist()}
        e["subset_accuracy"] = skm.accuracy_score(Y, P)
        ok = [j for j in range(L) if 0 < Y[:, j].sum() < n]
        e["roc_auc_per_label"] = {str(j): skm.roc_auc_score(Y[:, j], S[:, j]) for j in ok}
        e["ap_per_label"] = {str(j): skm.average_precision_score(Y[:, j], S[:, j]) for j in ok}
        out["multilabel"].append(e)
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "RadEvalTests", "Fixtures")
    os.makedirs(out_dir, exist_ok=True)
    captions, attribution = load_caption_pairs()
    pairs = PROJECT_PAIRS + captions
    stemmer = PorterStemmer()
    words = sorted(set(WORDS_FOR_STEMMER) | {t for r, h in captions for t in
                                            rouge_scorer.tokenizers.DefaultTokenizer(False).tokenize(r + " " + h)})
    # A seeded sample of the distinct tokens of every CC BY caption, so that each Porter rule
    # meets many real words (words only, no caption text).
    vocab = set()
    tok = rouge_scorer.tokenizers.DefaultTokenizer(False)
    with open(SHARED_TEXT, encoding="utf-8") as f:
        for line in f:
            vocab.update(t for t in tok.tokenize(json.loads(line)["caption"]) if len(t) > 3)
    words = sorted(set(words) | set(random.Random(99).sample(sorted(vocab), min(4000, len(vocab)))))
    data = {
        "generator": "tools/reference/metric_fixtures.py",
        "versions": {"rouge-score": "0.1.2", "sacrebleu": sacrebleu.__version__, "nltk": nltk.__version__,
                     "scikit-learn": sklearn.__version__, "pycocoevalcap": "1.2", "numpy": np.__version__},
        "text_sources": {
            "project_pairs": "written for RadLM",
            "caption_pairs": "ROCO radiology captions, CC BY; attribution lists each caption (index "
                             "i of caption_attribution = pair len(project_pairs)+i)",
        },
        "caption_attribution": attribution,
        "project_pair_count": len(PROJECT_PAIRS),
        "pairs": [{"reference": r, "hypothesis": h} for r, h in pairs],
        "multi": [{"references": r, "hypothesis": h} for r, h in PROJECT_MULTI],
        "porter": {w: stemmer.stem(w) for w in words},
        "rouge": rouge_block(pairs, PROJECT_MULTI),
        "bleu": bleu_block(pairs, PROJECT_MULTI),
        "chrf": chrf_block(pairs, PROJECT_MULTI),
        "coco": coco_block(pairs, PROJECT_MULTI),
        "classification": classification_block(),
    }
    path = os.path.join(out_dir, "metric_parity.json")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(sanitize(data), f, ensure_ascii=False, indent=0)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
