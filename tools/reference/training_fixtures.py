"""Writes reference fixtures for RadTraining's tests with transformers, peft and trl.

    python tools/reference/training_fixtures.py      # from the repository root

Outputs under Tests/RadTrainingTests/Fixtures/: tiny randomly initialised Llama, GPT-2 and
BertForMaskedLM checkpoints (config.json + model.safetensors), PEFT LoRA adapters saved by peft
with their logits, ten causal-LM AdamW steps of the tiny GPT-2 and ten masked-LM steps of the tiny
BERT (with the masked batches), DPO losses and gradients from trl's DPOTrainer itself, and the
logits peft and transformers give for files RadLM wrote (radlm_*_adapter, radlm_bert_classifier:
written first by `RADLM_WRITE_FIXTURES=1 swift test --filter ReferenceReadsRadLMFiles`).
"""
import json
import pathlib
import shutil

import torch
from peft import LoraConfig, get_peft_model
from transformers import (BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel, LlamaConfig,
                          LlamaForCausalLM)

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
    # peft stores target_modules from a set (order varies between runs); sort for stable files.
    config["target_modules"] = sorted(config["target_modules"])
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


def word_tokenizer():
    """A whitespace word-level tokenizer for the tiny Llama: "w3".."w63" are ids 3..63, <pad> 0,
    <unk> 1 and </s> 2, so DPOTrainer can tokenize text examples into known ids."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    vocab = {"<pad>": 0, "<unk>": 1, "</s>": 2}
    vocab.update({f"w{i}": i for i in range(3, 64)})
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", eos_token="</s>")


DPO_PROMPTS = [[3, 9, 12, 5], [7, 20, 30]]
DPO_CHOSEN = [[11, 40, 21], [21, 22, 23, 24]]
DPO_REJECTED = [[13, 41], [25, 26, 27]]


def dpo_trainer(loss_type, beta, workdir):
    """trl's own DPOTrainer around the tiny Llama, LoRA on q/v from `peft_config` (so the reference
    is the base with adapters off), adapter weights then set from a fixed generator."""
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer
    words = lambda ids: " ".join(f"w{i}" for i in ids)
    dataset = Dataset.from_list([
        {"prompt": words(p), "chosen": " " + words(c), "rejected": " " + words(r)}
        for p, c, r in zip(DPO_PROMPTS, DPO_CHOSEN, DPO_REJECTED)])
    args = DPOConfig(output_dir=str(workdir), beta=beta, loss_type=[loss_type], report_to="none", use_cpu=True,
                     per_device_train_batch_size=len(DPO_PROMPTS), disable_dropout=True, seed=0)
    model = LlamaForCausalLM.from_pretrained(OUT / "tiny_llama")
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=word_tokenizer(),
                         peft_config=config)
    g = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for pname, p in trainer.model.named_parameters():
            if "lora_" in pname:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return trainer


def dpo_fixture():
    """DPO loss and LoRA gradients from trl 1.16's DPOTrainer itself: its data preparation (which
    appends </s> to each completion), its collator and its `compute_loss`, one call per loss type."""
    import tempfile
    beta = 0.1
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for loss_type in ("sigmoid", "ipo", "hinge"):
            trainer = dpo_trainer(loss_type, beta, workdir)
            rows = [trainer.train_dataset[i] for i in range(len(trainer.train_dataset))]
            batch = trainer.data_collator([{k: row[k] for k in ("prompt_ids", "chosen_ids", "rejected_ids")} for row in rows])
            trainer.model.train()
            trainer.model.zero_grad()
            loss = trainer.compute_loss(trainer.model, batch)
            loss.backward()
            grads = {n.replace("base_model.model.", "").replace(".default", ""): pack(p.grad)
                     for n, p in trainer.model.named_parameters() if "lora_" in n}
            ref_chosen, ref_rejected = trainer.compute_ref_log_probs(trainer.model, batch)
            results[loss_type] = {"loss": float(loss), "grads": grads}
            prompts = [row["prompt_ids"] for row in rows]
            chosen = [row["chosen_ids"] for row in rows]
            rejected = [row["rejected_ids"] for row in rows]
            reference = ref_chosen.tolist() + ref_rejected.tolist()
        adapter_dir = OUT / "dpo_policy_adapter"
        shutil.rmtree(adapter_dir, ignore_errors=True)
        trainer.model.save_pretrained(adapter_dir)
    (adapter_dir / "README.md").unlink(missing_ok=True)
    relative_base(adapter_dir, "tiny_llama")
    return {"beta": beta, "prompt": prompts, "chosen": chosen, "rejected": rejected,
            "reference_logps": reference, "losses": results,
            "note": "trl 1.16 DPOTrainer(peft_config=LoRA q/v, r=4, alpha=8).compute_loss on its own collated batch; "
                    "token ids as DPOTrainer tokenized them (completions end with </s> = 2); reference = adapters off"}


def mlm_training_fixture():
    """10 AdamW steps of masked-LM training on a tiny BertForMaskedLM. RNGs differ between torch and
    RadLM, so the masked inputs and labels of every step are stored (15%, 80/10/10, drawn here)."""
    torch.manual_seed(2)
    config = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
                        max_position_embeddings=32, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                        pad_token_id=0)
    save_model(BertForMaskedLM(config), "tiny_bert_mlm")
    model = BertForMaskedLM.from_pretrained(OUT / "tiny_bert_mlm").train()
    g = torch.Generator().manual_seed(13)
    pad, cls, sep, mask = 0, 1, 2, 3
    steps = []
    for _ in range(10):
        rows = []
        for _ in range(4):
            length = int(torch.randint(8, 17, (1,), generator=g))
            body = torch.randint(4, 64, (length - 2,), generator=g).tolist()
            inputs, labels = [cls] + body + [sep], [-100] * length
            chosen = [i for i in range(1, length - 1) if float(torch.rand(1, generator=g)) < 0.15] or [1]
            for i in chosen:
                labels[i] = inputs[i]
                roll = float(torch.rand(1, generator=g))
                if roll < 0.8:
                    inputs[i] = mask
                elif roll < 0.9:
                    inputs[i] = int(torch.randint(4, 64, (1,), generator=g))
            rows.append({"inputs": inputs, "labels": labels})
        steps.append(rows)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    losses = []
    for rows in steps:
        length = max(len(r["inputs"]) for r in rows)
        ids = torch.tensor([r["inputs"] + [pad] * (length - len(r["inputs"])) for r in rows])
        attention = torch.tensor([[1] * len(r["inputs"]) + [0] * (length - len(r["inputs"])) for r in rows])
        labels = torch.tensor([r["labels"] + [-100] * (length - len(r["labels"])) for r in rows])
        opt.zero_grad()
        loss = model(input_ids=ids, attention_mask=attention, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(float(loss.detach()))
    return {"steps": steps, "losses": losses,
            "settings": "AdamW(lr=1e-3, betas=(0.9,0.999), eps=1e-8, wd=0.01), constant lr, clip 1.0, right padding"}


def radlm_written_fixture():
    """Logits of files RadLM wrote (committed; rewritten by `RADLM_WRITE_FIXTURES=1 swift test
    --filter ReferenceReadsRadLMFiles`): its LoRA adapters loaded by peft, its BERT classifier
    loaded by transformers' BertForSequenceClassification."""
    from peft import PeftModel
    from transformers import BertForSequenceClassification
    result = {}
    ids = [[1, 5, 9, 33, 2, 60, 17, 4], [3, 8, 13, 21, 34, 55, 6, 7]]
    for key, cls, base_name in (("llama", LlamaForCausalLM, "tiny_llama"), ("gpt2", GPT2LMHeadModel, "tiny_gpt2")):
        adapter = OUT / f"radlm_{key}_adapter"
        if not (adapter / "adapter_model.safetensors").exists():
            raise SystemExit(f"{adapter} is missing: run RADLM_WRITE_FIXTURES=1 swift test --filter ReferenceReadsRadLMFiles")
        model = PeftModel.from_pretrained(cls.from_pretrained(OUT / base_name).eval(), adapter).eval()
        with torch.no_grad():
            result[key] = {"ids": ids, "logits": pack(model(torch.tensor(ids)).logits)}
    model, info = BertForSequenceClassification.from_pretrained(OUT / "radlm_bert_classifier", output_loading_info=True)
    problems = {k: v for k, v in info.items() if v}
    if problems:
        raise SystemExit(f"transformers did not load RadLM's classifier cleanly: {problems}")
    model.eval()
    cls_ids = [[1, 10, 20, 30, 40, 50, 2], [1, 7, 8, 9, 2, 0, 0], [1, 63, 4, 5, 6, 11, 2]]
    mask = [[1 if t or i == 0 else 0 for i, t in enumerate(row)] for row in cls_ids]
    with torch.no_grad():
        logits = model(input_ids=torch.tensor(cls_ids), attention_mask=torch.tensor(mask)).logits
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    result["bert_classifier"] = {"ids": cls_ids, "attention_mask": mask, "logits": pack(logits), "labels": labels}
    return result


def tiny_llama_gguf():
    """A tiny tied-embedding Llama stored as llama.cpp stores SmolLM2: Q4_1 projections (q/k rows
    permuted as convert_hf_to_gguf does), a Q8_0 token embedding and F32 norms, written with
    gguf-py. QLoRA tests train over its blocks."""
    import gguf
    import numpy as np
    from gguf.quants import quantize
    torch.manual_seed(3)
    config = LlamaConfig(vocab_size=96, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5, rope_theta=10000.0,
                         tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # norms away from 1 so they matter
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape))
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}

    def permute(w, heads):
        return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

    path = OUT / "tiny_llama_q4_1.gguf"
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_block_count(2)
    writer.add_context_length(64)
    writer.add_embedding_length(64)
    writer.add_feed_forward_length(96)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)

    def add(name, values, qtype):
        values = np.ascontiguousarray(values, dtype=np.float32)
        if qtype == gguf.GGMLQuantizationType.F32:
            writer.add_tensor(name, values)
        else:
            writer.add_tensor(name, quantize(values, qtype), raw_dtype=qtype)

    Q4_1, Q8_0, F32 = gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0, gguf.GGMLQuantizationType.F32
    add("token_embd.weight", state["model.embed_tokens.weight"], Q8_0)
    add("output_norm.weight", state["model.norm.weight"], F32)
    names = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
             "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
             "ffn_down": "mlp.down_proj"}
    for layer in range(2):
        hf = f"model.layers.{layer}."
        add(f"blk.{layer}.attn_norm.weight", state[hf + "input_layernorm.weight"], F32)
        add(f"blk.{layer}.ffn_norm.weight", state[hf + "post_attention_layernorm.weight"], F32)
        for short, long in names.items():
            w = state[hf + long + ".weight"]
            if short == "attn_q":
                w = permute(w, 4)
            elif short == "attn_k":
                w = permute(w, 2)
            add(f"blk.{layer}.{short}.weight", w, Q4_1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


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
    (OUT / "radlm_written.json").write_text(json.dumps(radlm_written_fixture(), separators=(",", ":")) + "\n")
    tiny_llama_gguf()
    (OUT / "mlm_training.json").write_text(json.dumps(mlm_training_fixture(), separators=(",", ":")) + "\n")
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
