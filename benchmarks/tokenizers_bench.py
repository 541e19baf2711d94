#!/usr/bin/env python3
"""RadTokenizers vs Hugging Face `tokenizers` (Rust core) and `tiktoken`, side by side in one run.

Measures, on the same >= 20 MB corpus:
  * encode throughput (MB/s of UTF-8 input) with GPT-2's byte-level BPE at 1 and 2 threads
    (RadLM `encodeIdsBatch`, tokenizers `encode_batch` with RAYON_NUM_THREADS, tiktoken
    `encode_ordinary_batch(num_threads=...)` with GPT-2's ranks built from vocab.json);
  * byte-level BPE training time at vocabulary 8,192 (and whether vocab and merges are identical);
  * load time of SmolLM2's 49,152-token tokenizer.json.
Ids are checked to be identical across the three encoders before timing is reported.

The corpus is built once under $RADLM_HOME/bench (default ~/.cache/radlm/bench): ROCO CC BY
captions, the project's synthetic reports and strings from the tokenizer fixture generator,
cycled to the target size.

Usage: benchmarks/tokenizers_bench.py --radlm .build/release/radlm [--mb 20] [--json out.json]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "RadTokenizersTests", "Fixtures")
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))


def build_corpus(path, mb):
    if os.path.exists(path) and os.path.getsize(path) >= mb * 1e6:
        return
    from tokenizer_fixtures import make_inputs  # project-written string generator
    shared_text = os.path.join(ROOT, "..", "shared", "data", "text")
    captions = []
    for name in sorted(os.listdir(shared_text)):
        if name.endswith("_CCBY.jsonl"):
            with open(os.path.join(shared_text, name), encoding="utf-8", newline="") as f:
                captions += [json.loads(l)["caption"].replace("\n", " ") for l in f]
    reports = []
    syn = os.path.join(ROOT, "data", "synthetic_reports.jsonl")
    if os.path.exists(syn):
        with open(syn, encoding="utf-8") as f:
            for l in f:
                r = json.loads(l)
                reports += [str(v).replace("\n", " ") for k, v in r.items() if isinstance(v, str) and len(v) > 20]
    rng = random.Random(1)
    lines, size, seed = [], 0, 0
    while size < mb * 1e6:
        block = captions + reports + [s.replace("\n", " ") for s in make_inputs(4000, seed=seed)]
        seed += 1
        rng.shuffle(block)
        for l in block:
            lines.append(l)
            size += len(l.encode("utf-8")) + 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


PY_ENCODE = r"""
import json, sys, time, os
from tokenizers import Tokenizer, models, pre_tokenizers, decoders
corpus, fix, which, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(corpus, encoding="utf-8", newline="").read().split("\n")
lines = ["\n".join(lines[i:i + 64]) for i in range(0, len(lines), 64)]  # 64-line documents, as radlm
nbytes = os.path.getsize(corpus)
best = 1e9
if which == "tokenizers":
    tok = Tokenizer(models.BPE.from_file(os.path.join(fix, "gpt2_vocab.json"), os.path.join(fix, "gpt2_merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    for _ in range(3):
        t = time.perf_counter(); out = tok.encode_batch_fast(lines, add_special_tokens=False); best = min(best, time.perf_counter() - t)
    ids = [e.ids for e in out[:100]]
else:
    import tiktoken
    from tokenizers.pre_tokenizers import ByteLevel
    # GPT-2's byte-to-unicode table, rebuilt to map vocab strings back to bytes.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    dec = {chr(c): b for b, c in zip(bs, cs)}
    vocab = json.load(open(os.path.join(fix, "gpt2_vocab.json"), encoding="utf-8"))
    ranks = {bytes(dec[c] for c in t): i for t, i in vocab.items() if t != "<|endoftext|>"}
    enc = tiktoken.Encoding("gpt2_local", pat_str=r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
                            mergeable_ranks=ranks, special_tokens={})
    for _ in range(3):
        t = time.perf_counter(); out = enc.encode_ordinary_batch(lines, num_threads=threads); best = min(best, time.perf_counter() - t)
    ids = out[:100]
print(json.dumps({"mb_s": nbytes / 1e6 / best, "s": best, "ids_head": ids}))
"""

PY_TRAIN_LOAD = r"""
import json, sys, time, os
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
corpus, smol, vocab, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
loads = []
for _ in range(5):
    t = time.perf_counter(); Tokenizer.from_file(smol); loads.append(time.perf_counter() - t)
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()
tr = trainers.BpeTrainer(vocab_size=vocab, min_frequency=0, special_tokens=["<|endoftext|>"],
                         initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
t = time.perf_counter(); tok.train([corpus], tr); train_s = time.perf_counter() - t
tok.save(out)
print(json.dumps({"load_s": min(loads), "train_s": train_s}))
"""


def run_py(code, args, env_threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(env_threads), TOKENIZERS_PARALLELISM="true")
    r = subprocess.run([sys.executable, "-c", code] + [str(a) for a in args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"python side failed: {r.stderr}")
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", required=True, help="release build of the radlm executable")
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--train-vocab", type=int, default=8192)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    home = os.path.expanduser(os.environ.get("RADLM_HOME", "~/.cache/radlm"))
    corpus = os.path.join(home, "bench", f"tokenizer_corpus_{int(args.mb)}mb.txt")
    build_corpus(corpus, args.mb)
    smol = os.path.join(FIX, "smollm2_tokenizer.json")
    ours_trained = os.path.join(home, "bench", "radlm_trained.json")
    ref_trained = os.path.join(home, "bench", "tokenizers_trained.json")
    ids_path = os.path.join(home, "bench", "radlm_ids_head.jsonl")

    cmd = [args.radlm, "tokenizer", "bench", "--tokenizer", os.path.join(FIX, "gpt2_vocab.json"), "--corpus", corpus,
           "--load-tokenizer", smol, "--train-vocab-size", str(args.train_vocab), "--train-output", ours_trained, "--ids-output", ids_path]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"radlm failed: {r.stderr}")
    ours = json.loads(r.stdout)
    hf = {t: run_py(PY_ENCODE, [corpus, FIX, "tokenizers", t], t) for t in (1, 2)}
    tk = {t: run_py(PY_ENCODE, [corpus, FIX, "tiktoken", t], t) for t in (1, 2)}
    tl = run_py(PY_TRAIN_LOAD, [corpus, smol, args.train_vocab, ref_trained], 2)

    # Same ids from all three encoders on the first 100 documents (6,400 lines).
    ours_ids = [json.loads(l) for l in open(ids_path, encoding="utf-8")]
    same_hf = ours_ids == hf[1]["ids_head"]
    same_tk = ours_ids == tk[1]["ids_head"]
    a = json.load(open(ours_trained, encoding="utf-8"))["model"]
    b = json.load(open(ref_trained, encoding="utf-8"))["model"]
    same_train = a["vocab"] == b["vocab"] and [list(m) for m in a["merges"]] == [list(m) if isinstance(m, list) else m.split(" ") for m in b["merges"]]

    rows = [
        ("encode MB/s, 1 thread", ours["encode_mb_s_1t"], hf[1]["mb_s"], tk[1]["mb_s"], True),
        ("encode MB/s, 2 threads", ours["encode_mb_s_2t"], hf[2]["mb_s"], tk[2]["mb_s"], True),
        (f"BPE training at vocab {args.train_vocab} (s)", ours["train_s"], tl["train_s"], None, False),
        ("load 49k tokenizer.json (s)", ours["load_extra_s"][smol], tl["load_s"], None, False),
    ]
    print(f"corpus: {corpus} ({ours['corpus_mb']:.1f} MB, {ours['lines']} lines in {ours['documents']} documents of 64 lines)")
    print(f"ids identical on 100 documents: tokenizers {same_hf}, tiktoken {same_tk}; trained vocab+merges identical: {same_train}")
    print(f"{'measure':40s} {'RadLM':>10s} {'tokenizers':>11s} {'tiktoken':>10s} {'vs tok':>7s} {'vs tik':>7s}")
    results = []
    for name, o, h, t, higher_better in rows:
        rh = (o / h) if higher_better else (h / o)
        rt = ((o / t) if higher_better else (t / o)) if t else None
        print(f"{name:40s} {o:10.3f} {h:11.3f} {(t if t else float('nan')):10.3f} {rh:6.2f}x {(f'{rt:6.2f}x' if rt else '     -')}")
        results.append({"measure": name, "radlm": o, "tokenizers": h, "tiktoken": t, "ratio_vs_tokenizers": rh, "ratio_vs_tiktoken": rt})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results, "ids_identical_tokenizers": same_hf, "ids_identical_tiktoken": same_tk,
                       "training_identical": same_train, "corpus_mb": ours["corpus_mb"]}, f, indent=1)


if __name__ == "__main__":
    main()
