#!/usr/bin/env python3
"""Writes the fixtures that prove GGUF export of scaled RoPE (`radlm convert --to gguf`), into
Tests/RadInferenceTests/Fixtures/rope_gguf/<type>/ for rope_type "llama3", "linear" and "yarn":

* config.json, model.safetensors, tokenizer.json: a tiny random Llama (transformers, pinned in
  requirements.txt; head_dim 8 against original context 64 as in rope_scaling_fixtures.py, so
  llama3 keeps one frequency, smooths one and divides two; yarn's ramp keeps one, mixes one and
  interpolates two, and its attention factor is 0.1 ln 4 + 1) with a 64-token byte-level BPE
  tokenizer that has merges (llama.cpp refuses a BPE vocabulary without them);
* reference.gguf: what llama.cpp's own convert_hf_to_gguf.py (the llama-cpp-python 0.3.36 source
  that benchmarks/build_llama_cpp.sh unpacks) writes for that folder with --outtype f32. Its
  pre-tokenizer check hashes the tokenizer's output on a fixed text and knows only real
  tokenizers, so get_vocab_base_pre is patched to answer "gpt-2" (llama.cpp's name for a plain
  byte-level BPE, which RadLM writes too); nothing else of the converter is changed;
* expected.json: the prompt ids, transformers' last-position logits on the folder, llama.cpp's
  last-position logits on reference.gguf (tools/reference/llama_cpp_logits.cpp linked against
  the built llama.cpp), and transformers' logits with the scaling removed (how far off a file
  without it would be). The script fails when llama.cpp and transformers differ by > 1e-4.

With --radlm BIN it also converts each folder with `BIN convert DIR --to gguf` and checks the
file RadLM wrote the same way: llama.cpp's logits against transformers', and every tensor and
every rope/llama metadata key against reference.gguf.

llama.cpp's llama architecture runs yarn from rope.scaling.type/factor/original_context_length
with beta_fast 32, beta_slow 1 and attention factor 0.1 ln(factor) + 1 whatever else the file
says (llama-context.cpp), which is transformers' yarn for configs without other values; the
yarn case checks it does.

Run: /work/venv-ref/py/bin/python tools/reference/rope_gguf_fixtures.py [--radlm .build/debug/radlm] [names...]
(after benchmarks/build_llama_cpp.sh)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "Tests" / "RadInferenceTests" / "Fixtures" / "rope_gguf"
LLAMA_CPP = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm")) / "llama.cpp"
SOURCE = LLAMA_CPP / "llama_cpp_python-0.3.36" / "vendor" / "llama.cpp"
BUILD = LLAMA_CPP / "build"

CASES = {
    "llama3": {"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
    "linear": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0},
    "yarn": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 64},
}
# 80 tokens: positions run past the original context of 64.
IDS = [(7 * i + 5) % 60 + 4 for i in range(80)]


def tokenizer_json():
    """A byte-level BPE of 64 tokens: 4 specials, Ġ, a-z, A-Z and 7 merged tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("e", "r"), ("Ġ", "a"), ("o", "n")]
    tokens = ["<s>", "<pad>", "</s>", "<unk>", "Ġ"] + [chr(c) for c in range(97, 123)] + [chr(c) for c in range(65, 91)]
    tokens += ["".join(m) for m in merges]
    assert len(tokens) == 64
    tokenizer = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>"])
    return tokenizer.to_str()


def make_folder(folder, rope, seed):
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=0,
        eos_token_id=2, max_position_embeddings=256, attn_implementation="eager", rope_parameters=rope)).eval()
    # Larger weights than the 0.02 default, so the logits (and RoPE's effect on them) are not tiny.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0, 0.5)
    model.save_pretrained(folder)
    (folder / "tokenizer.json").write_text(tokenizer_json())
    return model


def last_logits(model):
    with torch.no_grad():
        return model(torch.tensor([IDS])).logits[0, -1].double().numpy()


def convert_with_llama_cpp(folder, out):
    """convert_hf_to_gguf.py as shipped, bar the pre-tokenizer hash table (see the module doc)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import convert_hf_to_gguf; from conversion import base; "
        "base.TextModel.get_vocab_base_pre = lambda self, tokenizer: 'gpt-2'; "
        "sys.argv = ['convert_hf_to_gguf.py'] + sys.argv[2:]; convert_hf_to_gguf.main()")
    subprocess.run([sys.executable, "-c", code, str(SOURCE), str(folder), "--outfile", str(out), "--outtype", "f32"],
                   check=True, capture_output=True)


def llama_cpp_logits_binary():
    binary = LLAMA_CPP / "tools" / "llama_cpp_logits"
    source = Path(__file__).resolve().parent / "llama_cpp_logits.cpp"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        binary.parent.mkdir(parents=True, exist_ok=True)
        libs = [BUILD / "src" / "libllama.a", BUILD / "ggml" / "src" / "libggml.a",
                BUILD / "ggml" / "src" / "libggml-cpu.a", BUILD / "ggml" / "src" / "libggml-base.a"]
        subprocess.run(["g++", "-O1", "-std=c++17", f"-I{SOURCE / 'include'}", f"-I{SOURCE / 'ggml' / 'include'}",
                        str(source), *map(str, libs), "-fopenmp", "-lpthread", "-ldl", "-o", str(binary)], check=True)
    return binary


def llama_cpp_logits(gguf_path):
    out = subprocess.run([str(llama_cpp_logits_binary()), str(gguf_path), ",".join(map(str, IDS))],
                         check=True, capture_output=True, text=True)
    return np.array(json.loads(out.stdout))


def compare_files(radlm_path, reference_path):
    """Every tensor (type, shape, bytes) and every llama.*/general.architecture key equal."""
    from gguf import GGUFReader
    a, b = GGUFReader(str(radlm_path)), GGUFReader(str(reference_path))
    tensors_a = {t.name: t for t in a.tensors}
    tensors_b = {t.name: t for t in b.tensors}
    problems = []
    if set(tensors_a) != set(tensors_b):
        problems.append(f"tensor names differ: {sorted(set(tensors_a) ^ set(tensors_b))}")
    for name in sorted(set(tensors_a) & set(tensors_b)):
        ta, tb = tensors_a[name], tensors_b[name]
        if ta.tensor_type != tb.tensor_type or list(ta.shape) != list(tb.shape) or ta.data.tobytes() != tb.data.tobytes():
            problems.append(f"tensor {name} differs")
    keys = [k for k in b.fields if k.startswith("llama.") or k == "general.architecture"]
    for key in keys:
        if key not in a.fields:
            problems.append(f"missing key {key}")
        elif a.fields[key].contents() != b.fields[key].contents():
            problems.append(f"{key}: {a.fields[key].contents()} != {b.fields[key].contents()}")
    extra = [k for k in a.fields if k.startswith("llama.rope") and k not in b.fields]
    problems += [f"extra key {k}" for k in extra]
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", help="a built radlm binary to check as well")
    parser.add_argument("names", nargs="*", help="cases to write (default: all)")
    args = parser.parse_args()
    failed = False
    for seed, (name, rope) in enumerate(CASES.items()):
        if args.names and name not in args.names:
            continue
        folder = OUT / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        model = make_folder(folder, rope, 40 + seed)
        (folder / "generation_config.json").unlink(missing_ok=True)
        convert_with_llama_cpp(folder, folder / "reference.gguf")
        expected = last_logits(model)
        peer = llama_cpp_logits(folder / "reference.gguf")
        unscaled = LlamaForCausalLM(LlamaConfig.from_dict({**model.config.to_dict(), "rope_parameters": {
            "rope_type": "default", "rope_theta": rope["rope_theta"]}})).eval()
        unscaled.load_state_dict(model.state_dict())
        unscaled_logits = last_logits(unscaled)
        difference = float(np.abs(peer - expected).max())
        print(f"{name}: llama.cpp vs transformers {difference:.2e}; unscaled vs scaled {np.abs(unscaled_logits - expected).max():.3f}")
        failed |= difference > 1e-4
        (folder / "expected.json").write_text(json.dumps({
            "ids": IDS, "transformers": expected.tolist(), "llama_cpp": peer.tolist(), "unscaled": unscaled_logits.tolist(),
            "llama_cpp_source": "llama-cpp-python 0.3.36 sdist (vendor/llama.cpp)"}))
        if args.radlm:
            with tempfile.TemporaryDirectory() as scratch:
                written = Path(scratch) / "radlm.gguf"
                subprocess.run([args.radlm, "convert", str(folder), "--to", "gguf", "--output", str(written)],
                               check=True, capture_output=True)
                radlm_peer = llama_cpp_logits(written)
                radlm_difference = float(np.abs(radlm_peer - expected).max())
                problems = compare_files(written, folder / "reference.gguf")
                print(f"  RadLM's GGUF in llama.cpp vs transformers {radlm_difference:.2e}; differences from "
                      f"convert_hf_to_gguf.py: {problems or 'none'}")
                failed |= radlm_difference > 1e-4 or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
