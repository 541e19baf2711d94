"""Checks that a GGUF file written by `radlm convert --to gguf` loads in gguf-py and transformers
and gives RadLM's logits.

    radlm convert MODEL --to gguf --dtype q8_0 --output OUT.gguf
    radlm logits --model OUT.gguf --prompt "…" --top 5 > radlm_logits.json
    python tools/reference/check_radlm_gguf_in_transformers.py OUT.gguf radlm_logits.json "…"

Prints gguf-py's view of the file (tensor count, types, tokenizer.ggml.pre), then transformers'
token ids and top logits for the same prompt ids next to RadLM's, and exits non-zero when the
tokenizers disagree, the top ids differ, or a logit differs by more than 1e-3.
"""
import collections
import json
import os
import sys

import torch
from gguf import GGUFReader
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    path, logits_file, prompt = sys.argv[1:4]
    reader = GGUFReader(path)
    types = collections.Counter(t.tensor_type.name for t in reader.tensors)
    print(f"gguf-py: {len(reader.tensors)} tensors {dict(types)}, pre={reader.fields['tokenizer.ggml.pre'].contents()}")
    folder, name = os.path.dirname(os.path.abspath(path)), os.path.basename(path)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    radlm = json.load(open(logits_file))
    ok = True
    ids = tokenizer(prompt)["input_ids"]
    print("token ids equal:", ids == radlm["input_ids"])
    ok = ids == radlm["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([radlm["input_ids"]])).logits[0, -1]
    values, ids = logits.topk(len(radlm["top_ids"]))
    print("radlm       ", radlm["top_ids"], [round(v, 5) for v in radlm["top_logits"]])
    print("transformers", ids.tolist(), [round(v, 5) for v in values.tolist()])
    worst = max(abs(a - b) for a, b in zip(values.tolist(), radlm["top_logits"]))
    print(f"max |logit difference| {worst:.2e}")
    if ids.tolist() != radlm["top_ids"] or worst > 1e-3:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
