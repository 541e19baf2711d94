"""Checks that a LoRA adapter written by RadLM loads in peft and gives RadLM's logits.

    radlm lora merge --model BASE --adapter ADAPTER --out MERGED
    radlm logits --model MERGED --prompt "…" --top 5 --json > radlm_logits.json
    python tools/reference/check_radlm_adapter_in_peft.py BASE ADAPTER radlm_logits.json

BASE is a Hugging Face folder or a .gguf file (loaded in fp32 by transformers). Prints the top ids
and logits from peft (base + adapter, unmerged) next to RadLM's, and exits non-zero when the ids
differ or a logit differs by more than 1e-3.
"""
import json
import os
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def main():
    base_path, adapter, logits_file = sys.argv[1:4]
    if base_path.endswith(".gguf"):
        base = AutoModelForCausalLM.from_pretrained(os.path.dirname(base_path), gguf_file=os.path.basename(base_path),
                                                    dtype=torch.float32)
    else:
        base = AutoModelForCausalLM.from_pretrained(base_path, dtype=torch.float32)
    model = PeftModel.from_pretrained(base.eval(), adapter).eval()
    radlm = json.load(open(logits_file))
    with torch.no_grad():
        logits = model(torch.tensor([radlm["input_ids"]])).logits[0, -1]
    top = torch.topk(logits, len(radlm["top_ids"]))
    difference = max(abs(float(logits[i]) - v) for i, v in zip(radlm["top_ids"], radlm["top_logits"]))
    print("peft  top ids", top.indices.tolist(), "logits", [round(v, 5) for v in top.values.tolist()])
    print("radlm top ids", radlm["top_ids"], "logits", radlm["top_logits"])
    print("max |difference| on RadLM's top ids:", difference)
    sys.exit(0 if top.indices.tolist() == radlm["top_ids"] and difference <= 1e-3 else 1)


if __name__ == "__main__":
    main()
