"""Reference labels for the CheXpert-style labeler agreement fixture.

The reference labeler (stanfordmlgroup/chexpert-labeler) cannot run here: NegBio is not on PyPI,
the BLLIP parser's GENIA+PubMed model is only downloaded from the web by bllipparser's
ModelFetcher (no PyPI package carries it), and PyStanfordDependencies fetches the Stanford
CoreNLP jar from Maven at run time. So this script labels the fixture with the stages that can
be reproduced from PyPI and the project's MIT copy of chexpert-labeler's lists:

- mention extraction: chexpert-labeler's cleaning, then literal phrase matches of its mention
  lists (third_party/chexpert-labeler/phrases/mention), dropping matches that overlap an
  unmention phrase (its extraction stage, restated here);
- negation: negspacy 1.1.0's NegEx with its `en_clinical` termset (an independent NegEx
  implementation and lexicon), scope = the spaCy sentence up to a termination term;
- aggregation: chexpert-labeler's rules (any affirmed mention → 1, else negated → 0, else blank;
  No Finding when nothing but Support Devices is affirmed; affirmed CHF/heart failure adds
  Cardiomegaly).

negspacy has no uncertainty class, so labels are three-way: "A" (affirmed: positive or
uncertain), "N" (negative), "B" (blank). Texts: CC BY radiology figure captions from ROCO
(PubMed Central), each with its ROCO id, PMC image name and licence.

    /work/venv-ref/labeler/bin/python tools/reference/labeler_agreement_fixtures.py
(a separate venv: `python -m venv /work/venv-ref/labeler && pip install negspacy==1.1.0 spacy==3.8.18
scikit-learn==1.9.1`; scikit-learn only for the Cohen's kappa parity vector)
Writes Tests/RadEvalTests/Fixtures/labeler_agreement.json.
"""
import json, os, re
from importlib.metadata import version

import spacy
from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
from negspacy.termsets import termset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHRASES = os.path.join(ROOT, "third_party/chexpert-labeler/phrases")
CAPTIONS = os.path.normpath(os.path.join(ROOT, "../shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl"))
if not os.path.exists(CAPTIONS):
    CAPTIONS = "/work/shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl"
OUT = os.path.join(ROOT, "Tests/RadEvalTests/Fixtures/labeler_agreement.json")
COUNT = 400

# The 14 observations in chexpert-labeler's CSV order and their phrase-file names.
OBSERVATIONS = [
    ("No Finding", "no_finding"), ("Enlarged Cardiomediastinum", "enlarged_cardiomediastinum"),
    ("Cardiomegaly", "cardiomegaly"), ("Lung Lesion", "lung_lesion"), ("Lung Opacity", "lung_opacity"),
    ("Edema", "edema"), ("Consolidation", "consolidation"), ("Pneumonia", "pneumonia"),
    ("Atelectasis", "atelectasis"), ("Pneumothorax", "pneumothorax"), ("Pleural Effusion", "pleural_effusion"),
    ("Pleural Other", "pleural_other"), ("Fracture", "fracture"), ("Support Devices", "support_devices"),
]


def read_phrases(kind, stem):
    path = os.path.join(PHRASES, kind, stem + ".txt")
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return [line.strip().replace("_", " ") for line in fh if line.strip()]


MENTION = {name: read_phrases("mention", stem) for name, stem in OBSERVATIONS}
UNMENTION = {name: read_phrases("unmention", stem) for name, stem in OBSERVATIONS}


def clean(text):
    """chexpert-labeler's cleaning (METRICS.md): lower, and/or, X/Y, '..', space after . and ,."""
    t = text.lower().replace("and/or", "or")
    t = re.sub(r"(?<=[a-zA-Z])/(?=[a-zA-Z])", " or ", t)
    t = t.replace("..", ".")
    t = re.sub(r"([.,])", r"\1 ", t)
    return " ".join(t.split())


def literal(phrase, text):
    return [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]


def mentions(text):
    """(observation, phrase, start, end) of every mention in the cleaned text."""
    out = []
    for name, _ in OBSERVATIONS:
        blocked = [s for p in UNMENTION[name] for s in literal(p, text)]
        for phrase in MENTION[name]:
            for start, end in literal(phrase, text):
                if any(start < e and s < end for s, e in blocked):
                    continue
                out.append((name, phrase, start, end))
    return out


def main():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    negex = nlp.add_pipe("negex", config={"neg_termset": termset("en_clinical").get_patterns(), "span_keys": ["mentions"]})

    rows = [json.loads(line) for line in open(CAPTIONS)]
    rows = [r for r in rows if r.get("license") == "CC BY"]
    rows.sort(key=lambda r: r["roco_id"])
    negation_cue = re.compile(r"\b(no|not|without|absence|negative|free of|resolved)\b")
    with_mentions = [r for r in rows if mentions(clean(r["caption"]))]
    # Captions state findings; take those with a negation cue first so negation is exercised.
    negated = [r for r in with_mentions if negation_cue.search(clean(r["caption"]))]
    chosen = negated[: COUNT // 2]
    chosen += [r for r in with_mentions if r not in chosen][: COUNT - len(chosen)]
    chosen.sort(key=lambda r: r["roco_id"])

    items = []
    for r in chosen:
        text = clean(r["caption"])
        doc = nlp.make_doc(text)
        for _, proc in nlp.pipeline:
            if proc is negex:
                break
            doc = proc(doc)
        found = mentions(text)
        spans = []
        for name, phrase, start, end in found:
            span = doc.char_span(start, end, alignment_mode="expand", label=name)
            spans.append((name, phrase, span))
        doc.spans["mentions"] = [s for _, _, s in spans]
        negex(doc)
        lists = {}
        affirmed_other = False
        for name, phrase, span in spans:
            negated_flag = bool(span._.negex)
            if not negated_flag and name != "Support Devices":
                affirmed_other = True
            if name == "No Finding":
                continue
            if not negated_flag and phrase in ("chf", "heart failure"):
                lists.setdefault("Cardiomegaly", []).append("A")
            lists.setdefault(name, []).append("N" if negated_flag else "A")
        labels = {}
        for name, _ in OBSERVATIONS:
            if name == "No Finding":
                labels[name] = "B" if affirmed_other else "A"
            elif name in lists:
                labels[name] = "A" if "A" in lists[name] else "N"
            else:
                labels[name] = "B"
        items.append({
            "roco_id": r["roco_id"], "pmc_image": r["pmc_image"], "license": r["license"],
            "text": r["caption"], "labels": [labels[name] for name, _ in OBSERVATIONS],
        })

    fixture = {
        "attribution": "Captions: ROCO (Pelka et al. 2018) figure captions from PubMed Central open-access articles "
                       "under CC BY; each item names its ROCO id and PMC image.",
        "reference": f"chexpert-labeler mention/unmention lists + cleaning + aggregation; negspacy {version('negspacy')} "
                     f"NegEx (en_clinical termset) on spaCy {version('spacy')} sentences; A = affirmed, N = negated, B = blank",
        "observations": [name for name, _ in OBSERVATIONS],
        "items": items,
    }
    # Cohen's kappa parity vector for ClassificationMetrics.cohenKappa (scikit-learn's definition).
    import random
    from sklearn.metrics import cohen_kappa_score
    rng = random.Random(5)
    a = [rng.randrange(3) for _ in range(200)]
    b = [x if rng.random() < 0.7 else rng.randrange(3) for x in a]
    fixture["kappa_check"] = {"a": a, "b": b, "kappa": float(cohen_kappa_score(a, b)),
                              "scikit_learn": version("scikit-learn")}
    tmp = OUT + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(fixture, fh, indent=0, ensure_ascii=False)
    os.replace(tmp, OUT)
    counts = {name: {k: sum(1 for it in items if it["labels"][i] == k) for k in "ANB"} for i, (name, _) in enumerate(OBSERVATIONS)}
    print(len(items), "captions;", json.dumps(counts))


if __name__ == "__main__":
    main()
