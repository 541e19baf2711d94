"""Writes the transformers reference fixtures for RadLM's ViT and CLIP (tiny random configurations).

Run from the repository root with the pinned environment (requirements.txt):
    python tools/reference/vit_clip_fixtures.py
It writes Tests/RadVisionTests/Fixtures/vit_tiny.json and clip_vision_tiny.json (ViTModel and
CLIPVisionModel: weights, pixel values, last hidden state, pooled output, and the gradients of
sum(last * P1) + sum(pooled * P2) for the pixels and every weight), and
Tests/RadMultimodalTests/Fixtures/clip_tiny.json (CLIPModel: text and image towers, projections,
logit scale, logits per image/text, the contrastive loss and its gradients). Weights are redrawn
with a larger spread than transformers' initialisation so that no term of the comparison is
negligibly small.
"""
import json
import pathlib

import torch
import transformers
from transformers import CLIPConfig, CLIPModel, CLIPTextConfig, CLIPVisionConfig, CLIPVisionModel, ViTConfig, ViTModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
torch.set_num_threads(1)


def pack(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def randomise(model, g):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("logit_scale"):
                continue
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


def write(path, payload):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", path)


def vision_fixture(model, config_fields, name, g):
    randomise(model, g)
    model.eval()
    pixels = torch.randn(2, 3, config_fields["image_size"], config_fields["image_size"], generator=g, requires_grad=True)
    out = model(pixel_values=pixels)
    p1 = torch.randn(out.last_hidden_state.shape, generator=g)
    p2 = torch.randn(out.pooler_output.shape, generator=g)
    loss = (out.last_hidden_state * p1).sum() + (out.pooler_output * p2).sum()
    loss.backward()
    tensors = {"pixel_values": pack(pixels), "last_hidden_state": pack(out.last_hidden_state),
               "pooler_output": pack(out.pooler_output), "p1": pack(p1), "p2": pack(p2),
               "grad.pixel_values": pack(pixels.grad)}
    for key, p in model.named_parameters():
        tensors["weight." + key] = pack(p)
        tensors["grad." + key] = pack(p.grad)
    write(ROOT / "Tests" / "RadVisionTests" / "Fixtures" / name,
          {"transformers": transformers.__version__, "config": config_fields, "tensors": tensors})


def main():
    g = torch.Generator().manual_seed(20)
    vit_fields = dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32, image_size=8,
                      patch_size=4, num_channels=3, layer_norm_eps=1e-12, hidden_act="gelu")
    vit = ViTModel(ViTConfig(**vit_fields, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
    vision_fixture(vit, vit_fields, "vit_tiny.json", g)

    clip_vision_fields = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
                              image_size=8, patch_size=4, num_channels=3, hidden_act="quick_gelu", layer_norm_eps=1e-5)
    clip_vision = CLIPVisionModel(CLIPVisionConfig(**clip_vision_fields))
    vision_fixture(clip_vision, clip_vision_fields, "clip_vision_tiny.json", g)

    text_fields = dict(vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
                       max_position_embeddings=10, hidden_act="quick_gelu", layer_norm_eps=1e-5, eos_token_id=49,
                       bos_token_id=48, pad_token_id=0)
    config = CLIPConfig(text_config=CLIPTextConfig(**text_fields).to_dict(),
                        vision_config=CLIPVisionConfig(**clip_vision_fields).to_dict(), projection_dim=8)
    clip = CLIPModel(config)
    randomise(clip, g)
    clip.eval()
    input_ids = torch.tensor([[48, 5, 17, 33, 49, 0, 0], [48, 7, 9, 12, 40, 21, 49], [48, 3, 49, 0, 0, 0, 0]])
    attention_mask = (torch.arange(7)[None, :] <= (input_ids == 49).int().argmax(-1)[:, None]).long()
    pixels = torch.randn(3, 3, 8, 8, generator=g, requires_grad=True)
    out = clip(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixels, return_loss=True)
    out.loss.backward()
    tensors = {"pixel_values": pack(pixels), "logits_per_image": pack(out.logits_per_image),
               "logits_per_text": pack(out.logits_per_text), "loss": pack(out.loss),
               "text_embeds": pack(out.text_embeds), "image_embeds": pack(out.image_embeds),
               "grad.pixel_values": pack(pixels.grad)}
    for key, p in clip.named_parameters():
        tensors["weight." + key] = pack(p)
        tensors["grad." + key] = pack(p.grad)
    # Zero-shot classification with prompt ensembles: per class the mean of the normalised prompt
    # embeddings, renormalised; probabilities = softmax(exp(logit_scale) * cosine).
    prompts = [[[48, 11, 12, 49], [48, 11, 49], [48, 30, 12, 13, 49]], [[48, 21, 49], [48, 22, 23, 49]]]
    with torch.no_grad():
        classes = []
        for class_prompts in prompts:
            length = max(len(p) for p in class_prompts)
            ids = torch.tensor([p + [0] * (length - len(p)) for p in class_prompts])
            mask = torch.tensor([[1] * len(p) + [0] * (length - len(p)) for p in class_prompts])
            text = clip.get_text_features(input_ids=ids, attention_mask=mask)
            text = getattr(text, "pooler_output", text)
            text = text / text.norm(dim=-1, keepdim=True)
            mean = text.mean(0)
            classes.append(mean / mean.norm())
        classes = torch.stack(classes)
        zero_shot = (clip.logit_scale.exp() * out.image_embeds @ classes.t()).softmax(-1)
    tensors["zero_shot_class_embeddings"] = pack(classes)
    tensors["zero_shot_probabilities"] = pack(zero_shot)
    # Recall@K on a seeded similarity matrix: rank of the matching item, ties counted ahead of it.
    similarity = torch.randn(12, 12, generator=g) + 1.5 * torch.eye(12)
    relevant = torch.arange(12)
    ranks = (similarity >= similarity[relevant, relevant][:, None]).sum(-1)
    recall = {str(k): float((ranks <= k).float().mean()) for k in (1, 5, 10)}
    tensors["retrieval_similarity"] = pack(similarity)
    write(ROOT / "Tests" / "RadMultimodalTests" / "Fixtures" / "clip_tiny.json", {
        "transformers": transformers.__version__, "text_config": text_fields, "vision_config": clip_vision_fields,
        "projection_dim": 8, "input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(),
        "zero_shot_prompts": prompts, "retrieval_recall": recall, "tensors": tensors})


if __name__ == "__main__":
    main()
