"""PyTorch side of the training benchmark (issue: training tokens/s vs PyTorch).

Same workloads as `radlm bench train`: (a) a nanoGPT-style GPT-2 (4 layers, 256 wide, 4 heads,
block 256, vocabulary 8192, batch 8) and (b) LoRA r=8 on q_proj/v_proj of SmolLM2-135M (loaded by
transformers from the same GGUF, fp32) with one sequence of 256 tokens; AdamW, clipping.
Prints one JSON object.
"""
import json
import sys
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def measure(model, params, batch, length, vocab, steps, warmups):
    opt = torch.optim.AdamW(params, lr=1e-4)
    g = torch.Generator().manual_seed(7)

    def step():
        ids = torch.randint(0, vocab, (batch, length), generator=g)
        opt.zero_grad()
        model(ids, labels=ids).loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    for _ in range(warmups):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    gguf_path = sys.argv[2] if len(sys.argv) > 2 else None
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(threads)
    rows = []
    gpt = GPT2LMHeadModel(GPT2Config(vocab_size=8192, n_positions=256, n_embd=256, n_layer=4, n_head=4,
                                     resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)).train()
    seconds = measure(gpt, list(gpt.parameters()), 8, 256, 8192, steps, 1)
    rows.append({"workload": "gpt 4x256 block 256 batch 8", "threads": threads, "tokens_per_second": 8 * 256 / seconds})
    if gguf_path:
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM
        import os
        model = AutoModelForCausalLM.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path),
                                                     torch_dtype=torch.float32)
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"],
                                                 task_type="CAUSAL_LM"))
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        seconds = measure(model, params, 1, 256, model.config.vocab_size, steps, 1)
        rows.append({"workload": "SmolLM2-135M LoRA r=8 q,v seq 256", "threads": threads, "tokens_per_second": 256 / seconds})
    print(json.dumps({"results": rows, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
