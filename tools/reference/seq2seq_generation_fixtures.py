#!/usr/bin/env python3
"""Writes the encoder-decoder generation fixtures from transformers' own `generate` (pinned in
requirements.txt), into Tests/RadInferenceTests/Fixtures/:

* tiny_bart/: a complete model folder for `radlm generate`: a tiny random BART (init_std 1.0,
  so greedy output varies with the source instead of ending at once) saved by save_pretrained,
  and tokenizer.json, a 64-entry byte-level BPE (<s> <pad> </s> <unk>, "Ġ", a-z, A-Z, 0-6; no
  merges) with BART's RobertaProcessing.
* bart_generation.json: for each source text, the ids the tokenizer gives, transformers' greedy
  continuation (plain and with repetition penalty 1.3), a batched greedy run over all sources,
  and a sampled run (temperature/top-k/top-p/min-p/repetition penalty, torch seed) with the raw
  logits of each step (`output_logits`) and the probabilities transformers sampled each token
  from (softmax of `output_scores`, the scores after its processor list), so the two processor
  chains are compared on identical logits.

Run: /work/venv-ref/py/bin/python tools/reference/seq2seq_generation_fixtures.py
"""
import json
from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "Tests" / "RadInferenceTests" / "Fixtures"
BART = FIXTURES / "tiny_bart"

SOURCES = ["the heart is normal", "No acute disease", "small left effusion 2"]
SAMPLING = dict(do_sample=True, temperature=0.8, top_k=20, top_p=0.9, min_p=0.05, repetition_penalty=1.2)


def tiny_tokenizer():
    symbols = ["<s>", "<pad>", "</s>", "<unk>", "Ġ"]
    symbols += [chr(c) for c in range(ord("a"), ord("z") + 1)] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    symbols += [str(d) for d in range(7)]
    assert len(symbols) == 64
    tok = Tokenizer(models.BPE(vocab={s: i for i, s in enumerate(symbols)}, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tok.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>"])
    return tok


def main():
    BART.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(7)
    BartForConditionalGeneration(BartConfig(
        vocab_size=64, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=40, init_std=1.0,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=None,
        attn_implementation="eager")).save_pretrained(BART, safe_serialization=True)
    raw = tiny_tokenizer()
    raw.save(str(BART / "tokenizer.json"))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                        unk_token="<unk>")
    model = BartForConditionalGeneration.from_pretrained(BART).eval()
    cases = []
    for i, text in enumerate(SOURCES):
        ids = tokenizer(text)["input_ids"]
        source = torch.tensor([ids])
        greedy = model.generate(source, max_new_tokens=12, do_sample=False, num_beams=1)[0, 1:].tolist()
        penalised = model.generate(source, max_new_tokens=12, do_sample=False, num_beams=1,
                                   repetition_penalty=1.3)[0, 1:].tolist()
        torch.manual_seed(100 + i)
        sampled = model.generate(source, max_new_tokens=12, num_beams=1, return_dict_in_generate=True,
                                 output_scores=True, output_logits=True, **SAMPLING)
        probabilities = [torch.softmax(s[0].float(), -1).tolist() for s in sampled.scores]
        logits = [s[0].float().tolist() for s in sampled.logits]
        cases.append({
            "text": text, "source_ids": ids, "greedy": greedy,
            "greedy_text": tokenizer.decode(greedy, skip_special_tokens=True),
            "greedy_repetition_1.3": penalised,
            "sampled": sampled.sequences[0, 1:].tolist(), "sampled_logits": logits,
            "sampled_probabilities": probabilities,
        })
    batch = tokenizer(SOURCES, padding=True, return_tensors="pt")
    batched = model.generate(**batch, max_new_tokens=12, do_sample=False, num_beams=1)[:, 1:].tolist()
    out = {"transformers": transformers.__version__, "max_new_tokens": 12, "sampling": SAMPLING,
           "cases": cases, "batched_greedy": batched}
    (FIXTURES / "bart_generation.json").write_text(json.dumps(out))
    for c in cases:
        print(c["text"], c["source_ids"], c["greedy"], c["greedy_repetition_1.3"], c["sampled"])
    print(batched)


if __name__ == "__main__":
    main()
