#!/usr/bin/env python3
"""Writes Tests/RadInferenceTests/Fixtures/bart_attention/: a tiny random BART folder (the shape of
tiny_bart from seq2seq_generation_fixtures.py, with its tokenizer.json) and attention.json, its
attention weights as transformers (pinned in requirements.txt) returns them with
output_attentions=True, for the pictures of `radlm inspect attention --kind encoder|decoder|cross`.

init_std 0.25 makes the heads attend selectively (mean row maximum 0.26-0.39 against 0.05 for
uniform attention) while float32 stays within 1e-6 of float64 (checked here), so a 1e-5
tolerance means something: tiny_bart's init_std 1.0 is so ill-conditioned that float32
transformers itself is 2e-3 from float64, and the default 0.02 leaves attention almost uniform.

The source text is tokenized as the model's tokenizer does (<s> … </s>), the target likewise as
labels, and the decoder reads the labels shifted right (decoder_start_token_id first), as in
training. Stored: the texts, input_ids, decoder_input_ids, and for every layer and head the
encoder self-attention [source × source], decoder self-attention [target × target] and
cross-attention [target × source] weights.

Run: /work/venv-ref/py/bin/python tools/reference/bart_attention_fixtures.py
"""
import json
import shutil
from pathlib import Path

import torch
from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast
from transformers.models.bart.modeling_bart import shift_tokens_right

FIXTURES = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadInferenceTests" / "Fixtures"
SOURCE = "the heart is normal"
TARGET = "No acute disease"


def main():
    folder = FIXTURES / "bart_attention"
    folder.mkdir(exist_ok=True)
    torch.manual_seed(11)
    BartForConditionalGeneration(BartConfig(
        vocab_size=64, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=40, init_std=0.25,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=None,
        attn_implementation="eager")).save_pretrained(folder)
    (folder / "generation_config.json").unlink(missing_ok=True)
    shutil.copy(FIXTURES / "tiny_bart" / "tokenizer.json", folder / "tokenizer.json")
    model = BartForConditionalGeneration.from_pretrained(folder, attn_implementation="eager").eval()
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"))
    ids = tokenizer(SOURCE)["input_ids"]
    labels = tokenizer(text_target=TARGET)["input_ids"]
    decoder_ids = shift_tokens_right(torch.tensor([labels]), model.config.pad_token_id, model.config.decoder_start_token_id)
    kinds = {"encoder": "encoder_attentions", "decoder": "decoder_attentions", "cross": "cross_attentions"}
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), decoder_input_ids=decoder_ids, output_attentions=True)
        exact = model.double()(input_ids=torch.tensor([ids]), decoder_input_ids=decoder_ids, output_attentions=True)
    for name in kinds.values():
        error = max(float((a.double() - b).abs().max()) for a, b in zip(getattr(out, name), getattr(exact, name)))
        assert error <= 1e-6, (name, error)

    fixture = {
        "source": SOURCE, "target": TARGET, "input_ids": ids, "labels": labels,
        "decoder_input_ids": decoder_ids[0].tolist(),
        **{kind: [a[0].tolist() for a in getattr(out, name)] for kind, name in kinds.items()},
    }
    (folder / "attention.json").write_text(json.dumps(fixture))
    print("wrote", folder, len(ids), "source tokens,", len(labels), "target tokens")

if __name__ == "__main__":
    main()
