"""Writes small PyTorch checkpoints and their expected contents for RadLM's `.pth` reader.

Run from the repository root with the pinned environment (requirements.txt):
    python tools/reference/torch_checkpoint_fixtures.py
It writes Tests/RadModelFilesTests/Fixtures/torch_checkpoint/: the same state dict saved by
torch.save in the zip layout (state_dict_zip.pth) and the legacy stream layout
(state_dict_legacy.pth), plus expected.json with every tensor's dtype, shape and values as
PyTorch reads them back. The dict holds F32, F16, BF16 and I64 tensors, a transposed view, a
channels-last view and a slice at a storage offset, so strides and offsets are exercised.
"""
import collections
import json
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadModelFilesTests" / "Fixtures" / "torch_checkpoint"


def state_dict():
    g = torch.Generator().manual_seed(3)
    base = torch.randn(6, 5, generator=g)
    conv = torch.randn(4, 3, 2, 2, generator=g)
    shared = torch.randn(20, generator=g)
    return collections.OrderedDict([
        ("linear.weight", torch.randn(3, 4, generator=g)),
        ("linear.bias", torch.randn(3, generator=g)),
        ("half", torch.randn(2, 3, generator=g).half()),
        ("bfloat", torch.randn(5, generator=g).bfloat16()),
        ("steps", torch.tensor(123456789012, dtype=torch.int64)),
        ("ids", torch.arange(7, dtype=torch.int64) * 3 - 5),
        ("transposed", base.t()),
        ("channels_last", conv.contiguous(memory_format=torch.channels_last)),
        ("offset_slice", shared[4:16].view(3, 4)),
        ("offset_slice_shares_storage", shared),
    ])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    state = state_dict()
    torch.save(state, OUT / "state_dict_zip.pth")
    torch.save(state, OUT / "state_dict_legacy.pth", _use_new_zipfile_serialization=False)
    expected = {}
    for name, tensor in torch.load(OUT / "state_dict_zip.pth", weights_only=True).items():
        expected[name] = {
            "dtype": str(tensor.dtype).replace("torch.", ""),
            "shape": list(tensor.shape),
            "stride": list(tensor.stride()),
            "data": [float(v) for v in tensor.float().reshape(-1).tolist()],
        }
    (OUT / "expected.json").write_text(json.dumps({"torch": torch.__version__, "tensors": expected}, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
