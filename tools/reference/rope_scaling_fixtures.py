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

Run: /work/venv-ref/py/bin/python tools/reference/rope_scaling_fixtures.py
"""
import torch
from transformers import LlamaConfig, LlamaForCausalLM

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


def main():
    for seed, (name, extra) in enumerate(CASES.items()):
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
