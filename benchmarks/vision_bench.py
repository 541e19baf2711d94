#!/usr/bin/env python3
"""EfficientNet-Lite0 inference throughput (images/s): RadLM vs PyTorch on CPU, same weights (the
fetched ImageNet state dict), same input size, batch and thread count, in one run.

PyTorch side: the reference model of tools/reference/efficientnet_lite0_reference.py rebuilt as
nn.Conv2d/nn.BatchNorm2d modules in eval mode under torch.inference_mode(), torch threads set to
--threads; timed as the median of --repeat repetitions, each at least --seconds long, after warm-up.
RadLM side: `radlm vision bench --batch B --threads T` (release build), which times the same way
(BenchTimer: warm-up, median of repetitions). With --threads 1 both sides run on core 0.

Usage: /work/venv-ref/py/bin/python benchmarks/vision_bench.py [--radlm .build/release/radlm]
         [--batches 1 32] [--threads 2] [--repeat 5] [--seconds 1]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))


def torch_model():
    import torch
    import torch.nn.functional as F
    from efficientnet_lite0_reference import BN_EPS, WEIGHTS, block_strides

    state = torch.load(WEIGHTS, map_location="cpu", weights_only=True)

    class SameConv(torch.nn.Module):
        """nn.Conv2d with TensorFlow 'same' padding applied by F.pad first (when needed)."""

        def __init__(self, weight, stride, groups):
            super().__init__()
            out_c, in_c, k, _ = weight.shape
            self.conv = torch.nn.Conv2d(in_c * groups, out_c, k, stride=stride, groups=groups, bias=False)
            self.conv.weight.data.copy_(weight)
            self.k, self.stride = k, stride

        def forward(self, x):
            h, w = x.shape[-2:]
            pads = []
            for size in (w, h):
                out = -(-size // self.stride)
                total = max((out - 1) * self.stride + self.k - size, 0)
                pads += [total // 2, total - total // 2]
            if any(pads):
                x = F.pad(x, pads)
            return self.conv(x)

    def bn(prefix):
        layer = torch.nn.BatchNorm2d(state[prefix + ".weight"].shape[0], eps=BN_EPS)
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(layer, name).data.copy_(state[f"{prefix}.{name}"])
        return layer

    class Block(torch.nn.Module):
        def __init__(self, i, stride):
            super().__init__()
            p = f"_blocks.{i}."
            layers = []
            if p + "_expand_conv.weight" in state:
                layers += [SameConv(state[p + "_expand_conv.weight"], 1, 1), bn(p + "_bn0"), torch.nn.ReLU6()]
            dw = state[p + "_depthwise_conv.weight"]
            layers += [SameConv(dw, stride, dw.shape[0]), bn(p + "_bn1"), torch.nn.ReLU6(),
                       SameConv(state[p + "_project_conv.weight"], 1, 1), bn(p + "_bn2")]
            self.body = torch.nn.Sequential(*layers)
            in_c = state[p + "_expand_conv.weight"].shape[1] if p + "_expand_conv.weight" in state else dw.shape[0]
            self.residual = stride == 1 and in_c == state[p + "_project_conv.weight"].shape[0]

        def forward(self, x):
            y = self.body(x)
            return y + x if self.residual else y

    fc = torch.nn.Linear(1280, 1000)
    fc.weight.data.copy_(state["_fc.weight"])
    fc.bias.data.copy_(state["_fc.bias"])
    model = torch.nn.Sequential(
        SameConv(state["_conv_stem.weight"], 2, 1), bn("_bn0"), torch.nn.ReLU6(),
        *[Block(i, s) for i, s in enumerate(block_strides())],
        SameConv(state["_conv_head.weight"], 1, 1), bn("_bn1"), torch.nn.ReLU6(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), fc)
    return model.eval()


def time_torch(model, batch, size, repeat, seconds):
    import torch
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(16))
    with torch.inference_mode():
        model(x)
        start = time.perf_counter()
        model(x)
        once = time.perf_counter() - start
        iterations = max(1, int(seconds / max(once, 1e-9)) + 1)
        for _ in range(iterations):
            model(x)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(iterations):
                model(x)
            samples.append((time.perf_counter() - start) / iterations)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", default=os.path.join(ROOT, ".build/release/radlm"))
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0)
    a = ap.parse_args()
    if a.threads == 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    import torch
    torch.set_num_threads(a.threads)
    model = torch_model()
    rows = []
    for batch in a.batches:
        torch_seconds = time_torch(model, batch, a.size, a.repeat, a.seconds)
        out = subprocess.run(
            [a.radlm, "vision", "bench", "--batch", str(batch), "--size", str(a.size), "--threads", str(a.threads),
             "--repetitions", str(a.repeat), "--seconds", str(a.seconds)],
            check=True, capture_output=True, text=True).stdout
        radlm_seconds = json.loads(out)["seconds_per_batch"]
        rows.append((batch, batch / torch_seconds, batch / radlm_seconds, torch_seconds / radlm_seconds))
    print(f"EfficientNet-Lite0 inference, {a.size}x{a.size}, {a.threads} thread(s), torch {torch.__version__}")
    print(f"{'batch':>5} {'PyTorch img/s':>14} {'RadLM img/s':>12} {'RadLM/PyTorch':>14}")
    for batch, t, r, ratio in rows:
        print(f"{batch:>5} {t:>14.1f} {r:>12.1f} {ratio:>13.2f}x")


if __name__ == "__main__":
    main()
