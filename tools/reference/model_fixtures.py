#!/usr/bin/env python3
"""Writes the fixtures RadModels' parity tests compare against. Every expected number comes from
transformers (pinned in requirements.txt), never typed by hand.

For each tiny, randomly initialised architecture (GPT-2, BERT base + pooler, BERT masked-LM,
Llama with grouped-query attention, Qwen2 with q/k/v biases, BART) the script writes, into
Tests/RadModelsTests/Fixtures/<name>/:

* config.json + model.safetensors: the model exactly as `save_pretrained` writes it;
* inputs.json: input ids (a batch of two with padding), attention mask, positions, labels, and
  the reference loss;
* expected.safetensors: last hidden states, logits (and pooler / encoder states where they
  exist) and `grad.<name>` for every parameter's gradient of the loss.

It also writes sinusoidal_positions.json: transformers' MarianSinusoidalPositionalEmbedding table.

Run: /work/venv-ref/py/bin/python tools/reference/model_fixtures.py
"""
import json
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import (BartConfig, BartForConditionalGeneration, BertConfig, BertForMaskedLM, BertModel,
                          GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, Qwen2Config,
                          Qwen2ForCausalLM)

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "Tests" / "RadModelsTests" / "Fixtures"


def write(name, model, inputs, expected, grads, extra):
    out = FIXTURES / name
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tensors = {k: v.detach().contiguous().float() for k, v in expected.items()}
    for pname, g in grads.items():
        tensors["grad." + pname] = g.detach().contiguous().float()
    save_file(tensors, str(out / "expected.safetensors"))
    meta = dict(inputs)
    meta.update(extra)
    meta["transformers"] = transformers.__version__
    (out / "inputs.json").write_text(json.dumps(meta, indent=1))
    # save_pretrained may add files we do not need (generation_config.json is fine to keep).
    print("wrote", out)


def grads_of(model):
    return {n: p.grad for n, p in model.named_parameters() if p.grad is not None}


def causal_lm(name, model, ids, mask, positions=None, base=None):
    model.eval()
    ids_t = torch.tensor(ids)
    mask_t = torch.tensor(mask)
    labels = [[t if m else -100 for t, m in zip(r, mr)] for r, mr in zip(ids, mask)]
    kwargs = dict(input_ids=ids_t, attention_mask=mask_t)
    if positions is not None:
        kwargs["position_ids"] = torch.tensor(positions)
    out = model(**kwargs, labels=torch.tensor(labels), output_hidden_states=True)
    out.loss.backward()
    hidden = getattr(model, base)(**kwargs).last_hidden_state
    write(name, model, {"input_ids": ids, "attention_mask": mask, "positions": positions, "labels": labels},
          {"hidden": hidden, "logits": out.logits}, grads_of(model), {"loss": out.loss.item()})


def main():
    torch.manual_seed(0)
    # GPT-2: right padding in row 2.
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                                      bos_token_id=0, eos_token_id=0, attn_implementation="eager"))
    causal_lm("gpt2", gpt2, [[5, 9, 17, 3, 44, 60, 2], [7, 7, 1, 63, 20, 0, 0]],
              [[1] * 7, [1, 1, 1, 1, 1, 0, 0]], base="transformer")

    # Llama with GQA (4 query heads, 2 key/value heads), untied head, left padding with positions.
    torch.manual_seed(1)
    llama = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                         rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                                         bos_token_id=1, eos_token_id=2, pad_token_id=0,
                                         attn_implementation="eager"))
    causal_lm("llama", llama, [[5, 9, 17, 3, 44, 60, 2], [0, 0, 7, 1, 63, 20, 11]],
              [[1] * 7, [0, 0, 1, 1, 1, 1, 1]], positions=[[0, 1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 2, 3, 4]], base="model")

    # Qwen2: q/k/v biases, tied embeddings, rope base 1e6.
    torch.manual_seed(2)
    qwen = Qwen2ForCausalLM(Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                        rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                        bos_token_id=1, eos_token_id=2, attn_implementation="eager"))
    with torch.no_grad():
        for n, p in qwen.named_parameters():
            if n.endswith("bias"):
                p.normal_(0, 0.1)
    causal_lm("qwen2", qwen, [[5, 9, 17, 3, 44, 60, 2], [7, 7, 1, 63, 20, 11, 30]], [[1] * 7, [1] * 7], base="model")

    # BERT encoder with pooler: bidirectional attention, padding, token types.
    torch.manual_seed(3)
    bert_config = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                             intermediate_size=48, max_position_embeddings=40, type_vocab_size=2,
                             pad_token_id=0, attn_implementation="eager")
    bert = BertModel(bert_config).eval()
    ids = [[2, 9, 17, 3, 44, 60, 4], [2, 7, 1, 63, 4, 0, 0]]
    mask = [[1] * 7, [1, 1, 1, 1, 1, 0, 0]]
    types = [[0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 0, 0]]
    out = bert(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), token_type_ids=torch.tensor(types))
    (out.last_hidden_state.square().mean() + out.pooler_output.sum()).backward()
    write("bert", bert, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
          {"hidden": out.last_hidden_state, "pooler": out.pooler_output}, grads_of(bert),
          {"loss_definition": "mean(hidden^2) + sum(pooler)"})

    torch.manual_seed(4)
    mlm = BertForMaskedLM(bert_config).eval()
    labels = [[-100, 9, -100, -100, 44, -100, -100], [-100, -100, 1, -100, -100, -100, -100]]
    out = mlm(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), token_type_ids=torch.tensor(types),
              labels=torch.tensor(labels))
    out.loss.backward()
    write("bert_mlm", mlm, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "labels": labels},
          {"logits": out.logits}, grads_of(mlm), {"loss": out.loss.item()})

    # BART encoder-decoder with cross-attention.
    torch.manual_seed(5)
    bart = BartForConditionalGeneration(BartConfig(
        vocab_size=64, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=40,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=None,
        attn_implementation="eager")).eval()
    with torch.no_grad():
        bart.final_logits_bias.normal_(0, 0.1)
    src = [[0, 9, 17, 3, 44, 60, 2], [0, 7, 5, 63, 2, 1, 1]]
    src_mask = [[1] * 7, [1, 1, 1, 1, 1, 0, 0]]
    labels = [[12, 13, 14, 2, -100], [20, 21, 2, -100, -100]]
    out = bart(input_ids=torch.tensor(src), attention_mask=torch.tensor(src_mask), labels=torch.tensor(labels),
               output_hidden_states=True)
    out.loss.backward()
    from transformers.models.bart.modeling_bart import shift_tokens_right
    decoder_ids = shift_tokens_right(torch.tensor(labels), 1, 2).tolist()
    write("bart", bart, {"input_ids": src, "attention_mask": src_mask, "labels": labels,
                         "decoder_input_ids": decoder_ids},
          {"encoder_hidden": out.encoder_last_hidden_state, "decoder_hidden": out.decoder_hidden_states[-1],
           "logits": out.logits, "final_logits_bias": bart.final_logits_bias}, grads_of(bart), {"loss": out.loss.item()})


def sinusoidal():
    from transformers.models.marian.modeling_marian import MarianSinusoidalPositionalEmbedding
    table = MarianSinusoidalPositionalEmbedding(50, 16).create_weight()
    (FIXTURES / "sinusoidal_positions.json").write_text(json.dumps({"positions": 50, "width": 16,
                                                                     "table": table.ravel().tolist()}))


if __name__ == "__main__":
    import sys
    if "--only-sinusoidal" not in sys.argv:
        main()
    sinusoidal()
