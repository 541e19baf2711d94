"""Writes reference fixtures for RadTraining's tests with transformers, peft and trl.

    python tools/reference/training_fixtures.py      # from the repository root

Outputs under Tests/RadTrainingTests/Fixtures/: tiny randomly initialised Llama and GPT-2
checkpoints (config.json + model.safetensors), PEFT LoRA adapters saved by peft with their logits,
ten causal-LM AdamW steps of the tiny GPT-2, and TRL DPO losses and gradients.
"""
import json
import pathlib
import shutil

import torch
from peft import LoraConfig, get_peft_model
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadTrainingTests" / "Fixtures"
torch.set_num_threads(1)


def pack(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def tiny_llama():
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False)
    return LlamaForCausalLM(config).eval()


def tiny_gpt2():
    torch.manual_seed(1)
    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    return GPT2LMHeadModel(config).eval()


def save_model(model, name):
    path = OUT / name
    shutil.rmtree(path, ignore_errors=True)
    model.save_pretrained(path, safe_serialization=True)
    for extra in ("generation_config.json",):
        (path / extra).unlink(missing_ok=True)
    return path


def relative_base(adapter_dir, base_name):
    """PEFT records the base model's absolute path; keep fixtures machine-independent."""
    config_path = adapter_dir / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = f"../{base_name}"
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def lora_fixture(model, name, targets, ids):
    base_logits = model(torch.tensor(ids)).logits
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=targets, task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for pname, p in peft_model.named_parameters():
            if "lora_" in pname:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    adapter_dir = OUT / f"{name}_peft_adapter"
    shutil.rmtree(adapter_dir, ignore_errors=True)
    peft_model.save_pretrained(adapter_dir)
    (adapter_dir / "README.md").unlink(missing_ok=True)
    relative_base(adapter_dir, name)
    adapted_logits = peft_model(torch.tensor(ids)).logits
    merged = peft_model.merge_and_unload()
    merged_logits = merged(torch.tensor(ids)).logits
    return {"ids": ids, "base_logits": pack(base_logits), "adapted_logits": pack(adapted_logits),
            "merged_logits": pack(merged_logits)}


def clm_training_fixture():
    """10 AdamW steps of causal-LM training on the tiny GPT-2 with fixed batches."""
    model = GPT2LMHeadModel.from_pretrained(OUT / "tiny_gpt2").train()
    g = torch.Generator().manual_seed(11)
    batches = [torch.randint(0, 64, (4, 16), generator=g) for _ in range(10)]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    losses = []
    for batch in batches:
        opt.zero_grad()
        loss = model(batch, labels=batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(float(loss.detach()))
    return {"batches": [b.tolist() for b in batches], "losses": losses,
            "settings": "AdamW(lr=1e-3, betas=(0.9,0.999), eps=1e-8, wd=0.01), constant lr, clip 1.0"}


def dpo_fixture():
    """TRL-style DPO on the tiny Llama with a LoRA policy; reference = base (adapters off)."""
    from trl.trainer.dpo_trainer import DPOTrainer  # noqa: F401  (version pin check)
    import torch.nn.functional as F
    model = LlamaForCausalLM.from_pretrained(OUT / "tiny_llama").eval()
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    policy = get_peft_model(model, config)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for pname, p in policy.named_parameters():
            if "lora_" in pname:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    prompt = [[3, 9, 12, 5], [7, 2, 30]]
    chosen = [[11, 40, 2], [21, 22, 23, 24]]
    rejected = [[13, 41], [25, 26, 27]]
    rows, masks = [], []
    for p, c in zip(prompt, chosen):
        rows.append(p + c)
        masks.append([0] * len(p) + [1] * len(c))
    for p, r in zip(prompt, rejected):
        rows.append(p + r)
        masks.append([0] * len(p) + [1] * len(r))
    length = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (length - len(r)) for r in rows])
    attention = torch.tensor([[1] * len(r) + [0] * (length - len(r)) for r in rows])
    completion = torch.tensor([m + [0] * (length - len(m)) for m in masks])

    def logps(model_call):
        logits = model_call(input_ids=ids, attention_mask=attention).logits[:, :-1]
        labels = ids[:, 1:]
        mask = completion[:, 1:]
        token_logps = torch.gather(logits.log_softmax(-1), 2, labels.unsqueeze(-1)).squeeze(-1)
        return (token_logps * mask).sum(1)

    with torch.no_grad(), policy.disable_adapter():
        ref = logps(policy)
    results = {}
    beta = 0.1
    for loss_type in ("sigmoid", "ipo", "hinge"):
        policy.zero_grad()
        pol = logps(policy)
        chosen_scores, rejected_scores = (pol - ref).chunk(2)
        delta = chosen_scores - rejected_scores
        if loss_type == "sigmoid":
            losses = -F.logsigmoid(beta * delta)
        elif loss_type == "hinge":
            losses = torch.relu(1 - beta * delta)
        else:
            cm, rm = completion.chunk(2)
            ipo = chosen_scores / cm.sum(1).clamp(min=1) - rejected_scores / rm.sum(1).clamp(min=1)
            losses = (ipo - 1 / (2 * beta)) ** 2
        loss = losses.mean()
        loss.backward()
        grads = {n.replace("base_model.model.", "").replace(".default", ""): pack(p.grad)
                 for n, p in policy.named_parameters() if "lora_" in n}
        results[loss_type] = {"loss": float(loss), "grads": grads}
    adapter_dir = OUT / "dpo_policy_adapter"
    shutil.rmtree(adapter_dir, ignore_errors=True)
    policy.save_pretrained(adapter_dir)
    (adapter_dir / "README.md").unlink(missing_ok=True)
    relative_base(adapter_dir, "tiny_llama")
    return {"beta": beta, "prompt": prompt, "chosen": chosen, "rejected": rejected,
            "reference_logps": ref.tolist(), "losses": results,
            "note": "per-sequence log-prob sums over completion tokens and the sigmoid/IPO/hinge formulas "
                    "of trl 1.16 DPOTrainer._compute_loss (reverse KL, no label smoothing)"}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    llama = tiny_llama()
    save_model(llama, "tiny_llama")
    gpt2 = tiny_gpt2()
    save_model(gpt2, "tiny_gpt2")
    ids = [[1, 5, 9, 33, 2, 60, 17, 4]]
    fixtures = {
        "llama": lora_fixture(LlamaForCausalLM.from_pretrained(OUT / "tiny_llama").eval(), "tiny_llama",
                              ["q_proj", "v_proj", "down_proj"], ids),
        "gpt2": lora_fixture(GPT2LMHeadModel.from_pretrained(OUT / "tiny_gpt2").eval(), "tiny_gpt2",
                             ["c_attn", "c_fc"], ids),
    }
    (OUT / "peft_lora.json").write_text(json.dumps(fixtures, separators=(",", ":")) + "\n")
    (OUT / "clm_training.json").write_text(json.dumps(clm_training_fixture(), separators=(",", ":")) + "\n")
    (OUT / "dpo.json").write_text(json.dumps(dpo_fixture(), separators=(",", ":")) + "\n")
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
