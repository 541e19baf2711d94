#!/usr/bin/env python3
"""Writes tiny random Llama fixtures whose RoPE frequencies are rescaled (`rope_parameters` with
rope_type "llama3", "linear" and "dynamic"), computed by transformers (pinned in
requirements.txt), into Tests/RadModelsTests/Fixtures/llama_rope_<type>/ in the layout of
model_fixtures.py (config.json, model.safetensors, inputs.json, expected.safetensors), plus the
model's `inv_freq` buffer as transformers computed it.

* llama3: head_dim 8 gives wavelengths 6.3, 63, 628 and 6283 against original context 64 with
  low/high frequency factors 1 and 4, so one frequency is kept, one smoothed and two divided.
* linear: every frequency divided by the factor.
* dynamic (NTK): 24 tokens against max_position_embeddings 16, so the base grows with the length.

Smaller models in llama_rope_<name>/ (head_dim 16, so yarn's ramp spans several of the 8 frequencies) for the two
rope_types that also scale cos and sin by an attention factor:

* yarn: factor 4 over an original context of 256 with rope_theta 100 (ramp over dimensions 0-7),
  no optional keys, so the attention factor is 0.1 ln 4 + 1; positions 300+ and 900+.
* yarn_mscale: mscale 2 / mscale_all_dim 1, beta_fast 8, beta_slow 2 and truncate false (a ramp
  between non-integer dimensions).
* yarn_attention: factor null (max_position_embeddings / original = 3), an explicit
  attention_factor 0.75 that overrides the mscale pair it is given with.
* longrope_short / longrope_long: one model with short/long factor lists over an original context
  of 16, run on 12 tokens (short list) and on 24 (long list); longrope_long also holds
  `cached_steps`: transformers' last-position logits when the 24 tokens go through its KV cache
  as a 12-token prompt and 12 one-token steps (the steps past 16 tokens use the long list for
  the new token only, the cached keys keep the short list's rotation).

Each of these adds `attention_scaling` (transformers' float factor) to inputs.json.

rope_tables.json holds, for more parameter sets (every optional yarn key, null factor, a top-level
original_max_position_embeddings (also for llama3), equal betas with truncate false, a Qwen2.5-sized head, longrope
with and without explicit factor/attention_factor, factor 1), the config as save_pretrained writes
it, a list of positions, and what transformers' LlamaRotaryEmbedding computes for them: inv_freq
(after its longrope update), attention_scaling, and cos/sin (first half of each row).

Run: /work/venv-ref/py/bin/python tools/reference/rope_scaling_fixtures.py [names...]
(no names: every fixture)
"""
import json
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

from model_fixtures import FIXTURES, causal_lm

CASES = {
    "llama3": dict(max_position_embeddings=256, rope_parameters={
        "rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    "linear": dict(max_position_embeddings=256, rope_parameters={
        "rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0}),
    "dynamic": dict(max_position_embeddings=16, rope_parameters={
        "rope_type": "dynamic", "rope_theta": 500.0, "factor": 2.0}),
}


SMALL = dict(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=2,
             num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=1,
             eos_token_id=2, attn_implementation="eager")
SHORT = [1.0, 1.05, 1.2, 1.5, 1.9, 2.4, 3.1, 3.6]
LONG = [1.0, 1.4, 2.1, 3.0, 4.2, 5.5, 7.5, 9.0]
ATTENTION_CASES = {
    "yarn": dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256}),
    "yarn_mscale": dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "mscale": 2.0, "mscale_all_dim": 1.0, "beta_fast": 8.0, "beta_slow": 2.0, "truncate": False}),
    "yarn_attention": dict(max_position_embeddings=768, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": None, "original_max_position_embeddings": 256,
        "attention_factor": 0.75, "mscale": 2.0, "mscale_all_dim": 1.0}),
    "longrope": dict(max_position_embeddings=64, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG}),
}

# Rotary tables only: (config keyword arguments, positions).
TABLE_CASES = {
    "yarn_plain": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256}), None),
    "yarn_betas_untruncated": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "beta_fast": 8.0, "beta_slow": 2.0, "truncate": False}), None),
    "yarn_equal_betas": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "beta_fast": 4.0, "beta_slow": 4.0, "truncate": False}), None),
    "yarn_mscale_pair": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "mscale": 0.707, "mscale_all_dim": 0.707}), None),
    "yarn_mscale_alone": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "mscale": 2.0}), None),
    "yarn_attention_factor": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256,
        "attention_factor": 1.3}), None),
    "yarn_null_factor": (dict(max_position_embeddings=768, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": None, "original_max_position_embeddings": 256}), None),
    "yarn_top_level_original": (dict(max_position_embeddings=1024, original_max_position_embeddings=128, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 4.0, "original_max_position_embeddings": 256}), None),
    "llama3_top_level_original": (dict(max_position_embeddings=1024, original_max_position_embeddings=32, rope_parameters={
        "rope_type": "llama3", "rope_theta": 100.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 256}), [0, 1, 5, 17, 31, 40]),
    "yarn_factor_below_one": (dict(max_position_embeddings=1024, rope_parameters={
        "rope_type": "yarn", "rope_theta": 100.0, "factor": 0.5, "original_max_position_embeddings": 256}), None),
    "yarn_qwen25": (dict(max_position_embeddings=131072, head_dim=64, rope_parameters={
        "rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0, "original_max_position_embeddings": 32768}),
        [0, 1, 7, 4095, 32767, 70000, 131071]),
    "longrope_short": (dict(max_position_embeddings=64, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG}), [0, 3, 9, 15]),
    "longrope_long": (dict(max_position_embeddings=64, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG}), [0, 3, 15, 16, 40]),
    "longrope_explicit": (dict(max_position_embeddings=64, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG, "factor": 8.0, "attention_factor": 1.1}), [0, 3, 15, 16, 40]),
    "longrope_factor_only": (dict(max_position_embeddings=64, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG, "factor": 8.0}), [0, 3, 15]),
    "longrope_no_stretch": (dict(max_position_embeddings=16, rope_parameters={
        "rope_type": "longrope", "rope_theta": 1000.0, "original_max_position_embeddings": 16,
        "short_factor": SHORT, "long_factor": LONG}), [0, 3, 15]),
}


def small_config(extra):
    return LlamaConfig(**{**SMALL, **extra})


def attention_fixtures(selected):
    from model_fixtures import write
    for seed, (name, extra) in enumerate(ATTENTION_CASES.items()):
        runs = [("longrope_short", 12), ("longrope_long", 24)] if name == "longrope" else [(name, 12)]
        if not any(run in selected for run, _ in runs):
            continue
        for run, length in runs:
            torch.manual_seed(30 + seed)
            model = LlamaForCausalLM(small_config(extra)).eval()
            # Larger weights than the 0.02 default, so the logits (and RoPE's effect on them) are not tiny.
            with torch.no_grad():
                for p in model.parameters():
                    if p.dim() == 2:
                        p.normal_(0, 0.3)
            ids = [[(7 * i + 3 * r + 5) % 32 for i in range(length)] for r in range(2)]
            mask = [[1] * length, [1] * length]
            # yarn does not depend on the length: explicit positions far past the original context.
            positions = [list(range(900, 900 + length)), list(range(300, 300 + length))] if run.startswith("yarn") else None
            folder = f"llama_rope_{run}"
            causal_lm(folder, model, ids, mask, positions=positions, base="model")
            from safetensors.torch import load_file, save_file
            path = FIXTURES / folder / "expected.safetensors"
            tensors = load_file(str(path))
            tensors["inv_freq"] = model.model.rotary_emb.inv_freq.detach().float().contiguous()
            if run == "longrope_long":
                tensors["cached_steps"] = cached_steps(model, ids[0], 12)
            save_file(tensors, str(path))
            inputs = json.loads((FIXTURES / folder / "inputs.json").read_text())
            inputs["attention_scaling"] = model.model.rotary_emb.attention_scaling
            (FIXTURES / folder / "inputs.json").write_text(json.dumps(inputs, indent=1))


def cached_steps(model, ids, prompt):
    """Last-position logits of each one-token step after `prompt` tokens, through the KV cache."""
    from transformers import DynamicCache
    cache = DynamicCache(config=model.config)
    rows = []
    with torch.no_grad():
        model(torch.tensor([ids[:prompt]]), cache=cache, use_cache=True)
        for i in range(prompt, len(ids)):
            out = model(torch.tensor([[ids[i]]]), cache=cache, use_cache=True,
                        position_ids=torch.tensor([[i]]))
            rows.append(out.logits[0, -1])
    return torch.stack(rows).float().contiguous()


def rope_tables():
    cases = []
    for name, (extra, positions) in TABLE_CASES.items():
        given = json.loads(json.dumps(extra["rope_parameters"]))  # transformers edits the dict it is given
        config = small_config(extra)
        rotary = LlamaRotaryEmbedding(config)
        positions = positions or [0, 1, 5, 17, 255, 300, 1023]
        x = torch.zeros(1, dtype=torch.float32)
        cos, sin = rotary(x, torch.tensor([positions]))
        half = rotary.inv_freq.shape[0]
        cases.append({
            # The config as saved, but with rope_parameters as given (a top-level
            # original_max_position_embeddings overrides the nested one only when standardised).
            "name": name, "config": {**json.loads(config.to_json_string()), "rope_parameters": given}, "positions": positions,
            "inv_freq": rotary.inv_freq.float().tolist(), "attention_scaling": rotary.attention_scaling,
            "cos": cos[0, :, :half].tolist(), "sin": sin[0, :, :half].tolist()})
    (FIXTURES / "rope_tables.json").write_text(json.dumps(cases, indent=1))
    print("wrote", FIXTURES / "rope_tables.json")


def main():
    selected = set(sys.argv[1:]) or set(CASES) | {"yarn", "yarn_mscale", "yarn_attention", "longrope_short",
                                                  "longrope_long", "rope_tables"}
    attention_fixtures(selected)
    if "rope_tables" in selected:
        rope_tables()
    for seed, (name, extra) in enumerate(CASES.items()):
        if name not in selected:
            continue
        torch.manual_seed(10 + seed)
        model = LlamaForCausalLM(LlamaConfig(
            vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
            attn_implementation="eager", **extra))
        ids = [[(7 * i + 3 * r + 5) % 64 for i in range(24)] for r in range(2)]
        mask = [[1] * 24, [1] * 24]
        # Explicit, large positions for the position-independent scalings: rows 2 and 1 start at 40 and 100.
        positions = None if name == "dynamic" else [list(range(100, 124)), list(range(40, 64))]
        causal_lm(f"llama_rope_{name}", model, ids, mask, positions=positions, base="model")
        inv_freq = model.model.rotary_emb.inv_freq.detach().float()
        from safetensors.torch import load_file, save_file
        path = FIXTURES / f"llama_rope_{name}" / "expected.safetensors"
        tensors = load_file(str(path))
        tensors["inv_freq"] = inv_freq.contiguous()
        save_file(tensors, str(path))


if __name__ == "__main__":
    main()
