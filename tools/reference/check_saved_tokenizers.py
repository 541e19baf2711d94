#!/usr/bin/env python3
"""Checks that tokenizer.json files written by RadTokenizers load in Hugging Face `tokenizers`
and behave like the originals.

For every fixture tokenizer (tokenizer.json files, GPT-2 vocab.json + merges.txt, MiniLM
vocab.txt, llama.cpp's GPT-2 and BERT vocabulary GGUFs) it runs
`radlm tokenizer convert` and compares, on the 1,200 fixture inputs, `tokenizers`' ids, offsets
and decoded text from the converted file with those from the reference loader (the original
tokenizer.json, or the fixture ids for formats `tokenizers` cannot read itself).

Usage: tools/reference/check_saved_tokenizers.py --radlm .build/release/radlm
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "Tests", "RadTokenizersTests", "Fixtures")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", required=True)
    args = ap.parse_args()
    records = [json.loads(l) for l in open(os.path.join(FIX, "gpt2_parity.jsonl"), encoding="utf-8")]
    texts = [r["text"] for r in records]
    cases = [(p, p) for p in sorted(glob.glob(os.path.join(FIX, "components", "*.json")))]
    cases += [(os.path.join(FIX, n), os.path.join(FIX, n)) for n in ("smollm2_tokenizer.json", "minilm_tokenizer.json")]
    # Formats tokenizers cannot load: compare with the fixture ids written from the references.
    cases += [(os.path.join(FIX, "gpt2_vocab.json"), "gpt2_parity.jsonl"),
              (os.path.join(FIX, "ggml-vocab-gpt-2.gguf"), "gpt2_parity.jsonl"),
              (os.path.join(FIX, "minilm_vocab.txt"), "minilm_parity.jsonl")]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for src, ref in cases:
            out = os.path.join(tmp, "tokenizer.json")
            subprocess.run([args.radlm, "tokenizer", "convert", "--tokenizer", src, "--output", out], check=True)
            converted = Tokenizer.from_file(out)
            special = ref.endswith("minilm_parity.jsonl") or ref.endswith(".json")
            if ref.endswith(".jsonl"):
                want = [json.loads(l) for l in open(os.path.join(FIX, ref), encoding="utf-8")]
                converted.no_padding(); converted.no_truncation()
                same = sum(converted.encode(w["text"], add_special_tokens=special).ids == w["ids"] for w in want)
            else:
                original = Tokenizer.from_file(ref)
                same = 0
                for t in texts:
                    a, b = original.encode(t), converted.encode(t)
                    same += a.ids == b.ids and a.offsets == b.offsets and original.decode(a.ids) == converted.decode(b.ids)
            print(f"{os.path.relpath(src, FIX):55s} {same}/{len(texts)}")
            failures += same != len(texts)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
