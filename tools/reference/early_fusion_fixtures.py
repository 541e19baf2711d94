"""Fixtures for RadMultimodal's early-fusion (LLaVA-style) path: a tiny random Llama from
transformers, a 2-layer GELU projector (nn.Linear, GELU, nn.Linear, as LLaVA-1.5's
multi_modal_projector), image tokens projected and spliced between token embeddings, the
logits of `LlamaForCausalLM(inputs_embeds=...)`, the loss on the answer tokens only
(labels -100 elsewhere, Hugging Face's shift) and the gradients of the projector's weights.

Run: /work/venv-ref/py/bin/python tools/reference/early_fusion_fixtures.py
Writes Tests/RadMultimodalTests/Fixtures/early_fusion/{llama/, projector.safetensors, splice.json}.
"""

import json
import pathlib

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/RadMultimodalTests/Fixtures/early_fusion"


def main() -> None:
    torch.manual_seed(17)
    config = LlamaConfig(
        vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5, rope_theta=10000.0,
        tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=None)
    model = LlamaForCausalLM(config).float().eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 0.2)
        for name, parameter in model.named_parameters():
            if name.endswith("norm.weight"):
                parameter.uniform_(0.8, 1.2)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    (OUT / "llama").mkdir(parents=True, exist_ok=True)
    model.save_pretrained(OUT / "llama", safe_serialization=True)

    token_width, width, count = 18, config.hidden_size, 9
    projector = torch.nn.Sequential(
        torch.nn.Linear(token_width, width), torch.nn.GELU(), torch.nn.Linear(width, width))
    with torch.no_grad():
        for parameter in projector.parameters():
            parameter.normal_(0, 0.3)
    save_file({
        "multi_modal_projector.linear_1.weight": projector[0].weight.detach().contiguous(),
        "multi_modal_projector.linear_1.bias": projector[0].bias.detach().contiguous(),
        "multi_modal_projector.linear_2.weight": projector[2].weight.detach().contiguous(),
        "multi_modal_projector.linear_2.bias": projector[2].bias.detach().contiguous(),
    }, str(OUT / "projector.safetensors"), metadata={"format": "pt"})

    image = torch.randn(1, count, token_width)
    prefix, suffix, answer = [1, 40, 41, 42, 10], [11, 300, 301, 302, 12, 13], [77, 78, 2]
    embed = model.get_input_embeddings()
    vectors = torch.cat([
        embed(torch.tensor([prefix])), projector(image), embed(torch.tensor([suffix + answer]))], dim=1)
    labels = [-100] * (len(prefix) + count + len(suffix)) + answer
    output = model(inputs_embeds=vectors, labels=torch.tensor([labels]))
    output.loss.backward()
    logits = output.logits[0]
    rows = [0, len(prefix), len(prefix) + count - 1] + list(range(logits.shape[0] - len(answer) - 1, logits.shape[0]))
    fixture = {
        "prefix": prefix, "suffix": suffix, "answer": answer, "image_tokens": image[0].flatten().tolist(),
        "token_width": token_width, "token_count": count, "length": logits.shape[0],
        "logit_rows": rows, "logits": [logits[r].tolist() for r in rows], "loss": output.loss.item(),
        "gradients": {
            "multi_modal_projector.linear_1.weight": projector[0].weight.grad.flatten().tolist(),
            "multi_modal_projector.linear_1.bias": projector[0].bias.grad.flatten().tolist(),
            "multi_modal_projector.linear_2.weight": projector[2].weight.grad.flatten().tolist(),
            "multi_modal_projector.linear_2.bias": projector[2].bias.grad.flatten().tolist(),
        },
    }
    (OUT / "splice.json").write_text(json.dumps(fixture))
    print("wrote", OUT, "loss", output.loss.item())


if __name__ == "__main__":
    main()
