"""Writes the PyTorch reference fixtures for RadTensor's tests.

Run from the repository root with the pinned environment (requirements.txt):
    python tools/reference/tensor_fixtures.py
It writes Tests/RadTensorTests/Fixtures/torch_*.json. Every number the Swift tests compare
against comes from PyTorch here; nothing is typed by hand.
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadTensorTests" / "Fixtures"
torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)


def pack(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def write(name, payload):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
    print("wrote", path)


def mlp_fixture():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 8, generator=g, requires_grad=True)
    fc1 = torch.nn.Linear(8, 16)
    fc2 = torch.nn.Linear(16, 5)
    with torch.no_grad():
        for p in (*fc1.parameters(), *fc2.parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    targets = [1, -100, 4, 0]
    hidden = F.gelu(fc1(x))
    logits = fc2(hidden)
    loss = F.cross_entropy(logits, torch.tensor(targets), ignore_index=-100)
    loss.backward()
    write("torch_mlp.json", {
        "description": "Linear(8,16) -> GELU(erf) -> Linear(16,5) -> cross-entropy(ignore_index=-100)",
        "targets": targets,
        "tensors": {
            "x": pack(x), "fc1.weight": pack(fc1.weight), "fc1.bias": pack(fc1.bias),
            "fc2.weight": pack(fc2.weight), "fc2.bias": pack(fc2.bias),
            "hidden": pack(hidden), "logits": pack(logits), "loss": pack(loss),
            "grad.x": pack(x.grad), "grad.fc1.weight": pack(fc1.weight.grad), "grad.fc1.bias": pack(fc1.bias.grad),
            "grad.fc2.weight": pack(fc2.weight.grad), "grad.fc2.bias": pack(fc2.bias.grad),
        },
    })


def attention_fixture():
    g = torch.Generator().manual_seed(1)
    batch, seq, width, heads = 2, 5, 16, 4
    head_dim = width // heads
    x = torch.randn(batch, seq, width, generator=g, requires_grad=True)
    ln = torch.nn.LayerNorm(width, eps=1e-5)
    c_attn = torch.nn.Linear(width, 3 * width)
    c_proj = torch.nn.Linear(width, width)
    with torch.no_grad():
        for p in (*ln.parameters(), *c_attn.parameters(), *c_proj.parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.4)
    attention_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    projection = torch.randn(batch, seq, width, generator=g)

    h = ln(x)
    q, k, v = c_attn(h).split(width, dim=-1)
    q = q.view(batch, seq, heads, head_dim).transpose(1, 2)
    k = k.view(batch, seq, heads, head_dim).transpose(1, 2)
    v = v.view(batch, seq, heads, head_dim).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)
    causal = torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1)
    padding = (attention_mask == 0)[:, None, None, :]
    scores = scores.masked_fill(causal | padding, float("-inf"))
    weights = scores.softmax(dim=-1)
    y = (weights @ v).transpose(1, 2).reshape(batch, seq, width)
    out = x + c_proj(y)
    loss = (out * projection).sum()
    loss.backward()
    write("torch_attention.json", {
        "description": "pre-LN causal self-attention block with padding mask; loss = sum(out * projection)",
        "heads": heads,
        "attention_mask": attention_mask.tolist(),
        "tensors": {
            "x": pack(x), "projection": pack(projection),
            "ln.weight": pack(ln.weight), "ln.bias": pack(ln.bias),
            "c_attn.weight": pack(c_attn.weight), "c_attn.bias": pack(c_attn.bias),
            "c_proj.weight": pack(c_proj.weight), "c_proj.bias": pack(c_proj.bias),
            "attention_weights": pack(weights), "out": pack(out), "loss": pack(loss),
            "grad.x": pack(x.grad), "grad.ln.weight": pack(ln.weight.grad), "grad.ln.bias": pack(ln.bias.grad),
            "grad.c_attn.weight": pack(c_attn.weight.grad), "grad.c_attn.bias": pack(c_attn.bias.grad),
            "grad.c_proj.weight": pack(c_proj.weight.grad), "grad.c_proj.bias": pack(c_proj.bias.grad),
        },
    })


def swiglu_fixture():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(3, 12, generator=g, requires_grad=True)
    norm_weight = (torch.randn(12, generator=g) * 0.3 + 1).requires_grad_()
    gate = torch.nn.Linear(12, 20, bias=False)
    up = torch.nn.Linear(12, 20, bias=False)
    down = torch.nn.Linear(20, 12, bias=False)
    with torch.no_grad():
        for p in (*gate.parameters(), *up.parameters(), *down.parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.4)
    projection = torch.randn(3, 12, generator=g)
    eps = 1e-6
    h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * norm_weight
    out = down(F.silu(gate(h)) * up(h))
    loss = (out * projection).sum()
    loss.backward()
    write("torch_swiglu.json", {
        "description": "Llama RMSNorm(eps=1e-6) -> SwiGLU MLP; loss = sum(out * projection)",
        "tensors": {
            "x": pack(x), "norm.weight": pack(norm_weight), "gate.weight": pack(gate.weight),
            "up.weight": pack(up.weight), "down.weight": pack(down.weight), "projection": pack(projection),
            "normed": pack(h), "out": pack(out), "loss": pack(loss),
            "grad.x": pack(x.grad), "grad.norm.weight": pack(norm_weight.grad),
            "grad.gate.weight": pack(gate.weight.grad), "grad.up.weight": pack(up.weight.grad),
            "grad.down.weight": pack(down.weight.grad),
        },
    })


def hf_cosine_with_warmup(warmup, total, cycles=0.5):
    def factor(step):
        if step < warmup:
            return step / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * cycles * 2.0 * progress)))
    return factor


def optimizer_fixture():
    """10 AdamW steps (cosine schedule with warm-up, clipping) and 10 SGD-momentum steps on the MLP."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(6, 8, generator=g)
    targets = torch.tensor([0, 3, -100, 2, 4, 1])
    init = {
        "fc1.weight": torch.randn(16, 8, generator=g) * 0.5, "fc1.bias": torch.randn(16, generator=g) * 0.5,
        "fc2.weight": torch.randn(5, 16, generator=g) * 0.5, "fc2.bias": torch.randn(5, generator=g) * 0.5,
    }

    def run(make_optimizer, schedule, clip):
        params = {k: v.clone().requires_grad_() for k, v in init.items()}
        opt = make_optimizer(list(params.values()))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule else None
        losses, norms, lrs = [], [], []
        for _ in range(10):
            opt.zero_grad()
            h = F.gelu(x @ params["fc1.weight"].T + params["fc1.bias"])
            logits = h @ params["fc2.weight"].T + params["fc2.bias"]
            loss = F.cross_entropy(logits, targets, ignore_index=-100)
            loss.backward()
            if clip:
                norms.append(float(torch.nn.utils.clip_grad_norm_(list(params.values()), clip)))
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if sched:
                sched.step()
            losses.append(float(loss))
        return losses, norms, lrs, {k: pack(v) for k, v in params.items()}

    adam_losses, adam_norms, adam_lrs, adam_final = run(
        lambda p: torch.optim.AdamW(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
        hf_cosine_with_warmup(2, 10), 1.0)
    sgd_losses, _, _, sgd_final = run(
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3), None, None)
    write("torch_optimizers.json", {
        "description": "MLP trained 10 steps: AdamW(lr=1e-2, wd=0.01) + HF cosine warm-up 2/10 + clip 1.0; SGD(lr=0.1, momentum=0.9, wd=1e-3)",
        "targets": targets.tolist(),
        "tensors": {"x": pack(x), **{k: pack(v) for k, v in init.items()}},
        "adamw": {"losses": adam_losses, "grad_norms": adam_norms, "learning_rates": adam_lrs, "final": adam_final},
        "sgd": {"losses": sgd_losses, "final": sgd_final},
    })



def ops_fixture():
    """Forward values of individual operations on fixed inputs."""
    g = torch.Generator().manual_seed(4)
    a = torch.randn(2, 3, 5, generator=g) * 2
    b = torch.randn(3, 1, generator=g)
    row = torch.randn(5, generator=g)
    positive = torch.rand(2, 3, 5, generator=g) * 3 + 0.1
    wide = torch.randn(3, 67, generator=g) * 4
    gamma = torch.randn(67, generator=g)
    beta = torch.randn(67, generator=g)
    big = torch.randn(50, 40, generator=g) * 10
    other = torch.randn(2, 5, 4, generator=g)
    results = {
        "a": a, "b": b, "row": row, "positive": positive, "wide": wide, "gamma": gamma, "beta": beta,
        "big": big, "other": other,
        "add_broadcast": a + b, "sub_row": a - row, "mul_broadcast": a * b, "div_row": a / (row.abs() + 0.5),
        "exp": a.exp(), "log": positive.log(), "sqrt": positive.sqrt(), "pow": positive.pow(1.7),
        "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu(), "gelu": F.gelu(a),
        "gelu_tanh": F.gelu(a, approximate="tanh"), "silu": F.silu(a),
        "gelu_big": F.gelu(big), "gelu_tanh_big": F.gelu(big, approximate="tanh"), "silu_big": F.silu(big),
        "tanh_big": big.tanh(), "exp_big": (big / 2).exp(), "sigmoid_big": big.sigmoid(),
        "sum_axis1": a.sum(1), "sum_axes02": a.sum((0, 2)), "mean_last": a.mean(-1), "max_axis2": a.max(2).values,
        "argmax_axis1": a.argmax(1).to(torch.float32),
        "permute": a.permute(2, 0, 1), "transpose": a.transpose(0, 1), "slice": a[:, 1:3, :],
        "concat": torch.cat([a, a * 2], dim=1), "softmax": wide.softmax(-1), "softmax_axis0": wide.softmax(0),
        "log_softmax": wide.log_softmax(-1), "layer_norm": F.layer_norm(wide, (67,), gamma, beta, eps=1e-5),
        "rms_norm": wide * torch.rsqrt(wide.pow(2).mean(-1, keepdim=True) + 1e-6) * gamma,
        "matmul_batched": a @ other, "matmul_t": a @ a.transpose(-1, -2),
        "softplus": F.softplus(a), "softplus_big": F.softplus(big),
        "softmax_big": big.softmax(-1), "log_softmax_big": big.log_softmax(-1),
    }
    write("torch_ops.json", {"tensors": {k: pack(v) for k, v in results.items()}})


def schedule_fixture():
    """Learning-rate multipliers from transformers' schedule functions."""
    from transformers import (get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                              get_linear_schedule_with_warmup)
    def factors(make):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = make(opt)
        values = []
        for _ in range(25):
            values.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return values
    write("transformers_schedules.json", {
        "constant_warmup3": factors(lambda o: get_constant_schedule_with_warmup(o, 3)),
        "linear_warmup4_total20": factors(lambda o: get_linear_schedule_with_warmup(o, 4, 20)),
        "cosine_warmup5_total20": factors(lambda o: get_cosine_schedule_with_warmup(o, 5, 20)),
        "cosine_warmup0_total20_cycles1.5": factors(lambda o: get_cosine_schedule_with_warmup(o, 0, 20, num_cycles=1.5)),
    })


if __name__ == "__main__":
    mlp_fixture()
    attention_fixture()
    swiglu_fixture()
    optimizer_fixture()
    ops_fixture()
    schedule_fixture()
