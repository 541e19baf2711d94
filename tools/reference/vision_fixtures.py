"""Writes the PyTorch reference fixtures for RadTensor's vision operations.

Run from the repository root with the pinned environment (requirements.txt):
    python tools/reference/vision_fixtures.py
It writes Tests/RadTensorTests/Fixtures/torch_vision_ops.json: for each case the inputs, the
output and the gradients of sum(output * projection) with respect to every input, all from
PyTorch (conv2d, batch norm in training and evaluation, max/avg/adaptive-average pooling, ReLU6,
hardswish). Nothing in it is typed by hand.
"""
import json
import zlib
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadTensorTests" / "Fixtures"
torch.set_num_threads(1)


def pack(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def run_case(name, inputs, function, extra=None):
    """Evaluates function(*inputs), back-propagates a random projection, packs everything."""
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    out = function(*leaves)
    projection = torch.randn(out.shape, generator=g)
    (out * projection).sum().backward()
    tensors = {"out": pack(out), "projection": pack(projection)}
    for index, leaf in enumerate(leaves):
        tensors[f"in{index}"] = pack(leaf)
        tensors[f"grad{index}"] = pack(leaf.grad)
    case = {"name": name, "tensors": tensors}
    if extra:
        case.update(extra)
    return case


def conv_cases(g):
    cases = []
    specs = [
        # name, N, C, H, W, O, k, stride, padding, dilation, groups, bias
        ("conv_basic", 2, 3, 7, 6, 4, 3, 1, 1, 1, 1, True),
        ("conv_stride2_pad0", 2, 3, 8, 9, 5, 3, 2, 0, 1, 1, False),
        ("conv_dilated", 1, 2, 9, 9, 3, 3, 1, 2, 2, 1, True),
        ("conv_grouped", 2, 4, 6, 6, 6, 3, 1, 1, 1, 2, True),
        ("conv_pointwise", 2, 5, 4, 3, 7, 1, 1, 0, 1, 1, True),
        ("conv_pointwise_stride2", 1, 4, 5, 5, 3, 1, 2, 0, 1, 1, False),
        ("conv_depthwise", 2, 4, 7, 7, 4, 3, 1, 1, 1, 4, True),
        ("conv_depthwise_stride2_k5", 2, 3, 9, 8, 3, 5, 2, 2, 1, 3, False),
        ("conv_depthwise_multiplier", 1, 3, 6, 5, 6, 3, 2, 1, 1, 3, True),
        ("conv_depthwise_dilated", 1, 2, 8, 8, 2, 3, 1, 2, 2, 2, False),
    ]
    for name, n, c, h, w, o, k, stride, padding, dilation, groups, has_bias in specs:
        x = torch.randn(n, c, h, w, generator=g)
        weight = torch.randn(o, c // groups, k, k, generator=g) * 0.5
        inputs = [x, weight] + ([torch.randn(o, generator=g)] if has_bias else [])

        def function(x, weight, bias=None, stride=stride, padding=padding, dilation=dilation, groups=groups):
            return F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups)

        cases.append(run_case(name, inputs, function, {
            "stride": stride, "padding": [padding] * 4, "dilation": dilation, "groups": groups}))
    # TensorFlow "same" padding (odd pixel at bottom/right) as EfficientNet-Lite uses: F.pad then conv.
    x = torch.randn(2, 3, 8, 8, generator=g)
    weight = torch.randn(3, 1, 3, 3, generator=g) * 0.5
    cases.append(run_case(
        "conv_depthwise_same_asymmetric", [x, weight],
        lambda x, weight: F.conv2d(F.pad(x, (0, 1, 0, 1)), weight, stride=2, groups=3),
        {"stride": 2, "padding": [0, 1, 0, 1], "dilation": 1, "groups": 3}))
    x = torch.randn(1, 3, 8, 7, generator=g)
    weight = torch.randn(4, 3, 3, 3, generator=g) * 0.5
    cases.append(run_case(
        "conv_same_asymmetric", [x, weight],
        lambda x, weight: F.conv2d(F.pad(x, (0, 1, 0, 1)), weight, stride=2),
        {"stride": 2, "padding": [0, 1, 0, 1], "dilation": 1, "groups": 1}))
    return cases


def batch_norm_cases(g):
    cases = []
    for name, shape in [("bn_train_4d", (3, 4, 5, 5)), ("bn_train_2d", (6, 3))]:
        x = torch.randn(*shape, generator=g) * 2 + 0.5
        weight = torch.randn(shape[1], generator=g)
        bias = torch.randn(shape[1], generator=g)
        running_mean = torch.randn(shape[1], generator=g) * 0.1
        running_var = torch.rand(shape[1], generator=g) + 0.5
        mean_after, var_after = running_mean.clone(), running_var.clone()

        def function(x, weight, bias, mean_after=mean_after, var_after=var_after):
            return F.batch_norm(x, mean_after, var_after, weight, bias, training=True, momentum=0.1, eps=1e-5)

        case = run_case(name, [x, weight, bias], function)
        case["tensors"]["running_mean"] = pack(running_mean)
        case["tensors"]["running_var"] = pack(running_var)
        # function ran once (run_case calls it once), so these hold one momentum update.
        case["tensors"]["running_mean_after"] = pack(mean_after)
        case["tensors"]["running_var_after"] = pack(var_after)
        case["momentum"] = 0.1
        case["eps"] = 1e-5
        cases.append(case)
    x = torch.randn(2, 3, 4, 4, generator=g)
    weight = torch.randn(3, generator=g)
    bias = torch.randn(3, generator=g)
    running_mean = torch.randn(3, generator=g)
    running_var = torch.rand(3, generator=g) + 0.5
    case = run_case(
        "bn_eval", [x, weight, bias],
        lambda x, w, b: F.batch_norm(x, running_mean, running_var, w, b, training=False, eps=1e-3))
    case["tensors"]["running_mean"] = pack(running_mean)
    case["tensors"]["running_var"] = pack(running_var)
    case["eps"] = 1e-3
    cases.append(case)
    return cases


def pooling_cases(g):
    x = torch.randn(2, 3, 7, 6, generator=g)
    return [
        run_case("maxpool_k3_s2_p1", [x], lambda x: F.max_pool2d(x, 3, 2, 1), {"kernel": 3, "stride": 2, "padding": 1}),
        run_case("maxpool_k2", [x], lambda x: F.max_pool2d(x, 2), {"kernel": 2, "stride": 2, "padding": 0}),
        run_case("avgpool_k3_s2_p1", [x], lambda x: F.avg_pool2d(x, 3, 2, 1),
                 {"kernel": 3, "stride": 2, "padding": 1, "count_include_pad": True}),
        run_case("avgpool_k3_s2_p1_exclude", [x], lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                 {"kernel": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
        run_case("adaptive_avg_3x4", [x], lambda x: F.adaptive_avg_pool2d(x, (3, 4)), {"output": [3, 4]}),
        run_case("adaptive_avg_1x1", [x], lambda x: F.adaptive_avg_pool2d(x, 1), {"output": [1, 1]}),
    ]


def activation_cases(g):
    # Spread over both kinks; points within 1e-3 of a kink are nudged away (their derivative is a
    # convention, not arithmetic).
    x = torch.linspace(-8, 8, 97) + torch.randn(97, generator=g) * 0.01
    return [run_case("relu6", [x], F.relu6), run_case("hardswish", [x], F.hardswish)]


def main():
    g = torch.Generator().manual_seed(16)
    cases = conv_cases(g) + batch_norm_cases(g) + pooling_cases(g) + activation_cases(g)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "torch_vision_ops.json"
    payload = {"torch": torch.__version__, "cases": cases}
    path.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
