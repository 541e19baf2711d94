"""Random JSON schemas in RadLM's constrained-decoding subset, and jsonschema's verdicts.

The subset (docs/structured-extraction.md): type (a name or a list), properties, required (declared
properties only), additionalProperties false, items, minItems, maxItems, enum, const, maxLength,
anyOf (alone in its schema), plus annotations. This script draws schemas from that subset with a
seeded generator, checks each with jsonschema's Draft 2020-12 metaschema, then draws instances for
each schema (some built to match it, some mutated) and records the validator's verdict:

- random_schemas.json: {"schemas": [schema, ...]} — the Swift test compiles each one and samples
  documents under the token mask; every document must validate.
- validation_triples.json: {"triples": [{"schema": i, "instance": JSON text, "valid": bool}]} —
  the Swift validator that checks those documents must agree with jsonschema on every triple.

    /work/venv-ref/py/bin/python tools/reference/json_schema_fixtures.py
"""
import json, os, random
from importlib.metadata import version

import jsonschema

OUT = os.path.join(os.path.dirname(__file__), "../../Tests/RadInferenceTests/Fixtures/json_schema")
rng = random.Random(20261203)

WORDS = ["effusion", "left", "right", "lobe", "nodule", "size mm", "naïve", "q\"uote", "back\\slash",
         "tab\there", "肺", "😀", "a", "ab", "abc", "", "SUVmax", "deauville", "x/y"]
NAMES = ["observation", "presence", "laterality", "location", "size_mm", "site", "suvmax", "lesion",
         "a", "ab", "b", "größe", "with space", "q\"k", "n\\m", "€"]


def any_string(max_len=8):
    n = rng.randint(0, max_len)
    pool = "abcxyz XYZ019-_.é€肺😀\"\\/\n\t"
    return "".join(rng.choice(pool) for _ in range(n))


def scalar_value():
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(WORDS)
    if kind == 1:
        return rng.randint(-20, 200)
    if kind == 2:
        return round(rng.uniform(-5, 50), rng.randint(0, 3))
    if kind == 3:
        return rng.choice([True, False])
    if kind == 4:
        return None
    return any_string()


def annotate(s):
    if rng.random() < 0.2:
        s["description"] = "a field"
    if rng.random() < 0.1:
        s["title"] = "T"
    return s


def gen_schema(depth):
    kinds = ["string", "string_enum", "const", "number", "integer", "boolean", "null", "enum_mixed", "typelist"]
    if depth < 3:
        kinds += ["object", "object", "array", "anyOf"]
    kind = rng.choice(kinds)
    if kind == "string":
        s = {"type": "string"}
        if rng.random() < 0.7:
            s["maxLength"] = rng.randint(0, 12)
        return annotate(s)
    if kind == "string_enum":
        values = rng.sample(WORDS, rng.randint(1, 5))
        s = {"type": "string", "enum": values}
        if rng.random() < 0.3:
            s["maxLength"] = rng.randint(1, 6)
            if not any(len(v) <= s["maxLength"] for v in values):
                values.append("a")
        return annotate(s)
    if kind == "const":
        return annotate({"const": scalar_value()})
    if kind == "number":
        return annotate({"type": "number"})
    if kind == "integer":
        return annotate({"type": "integer"})
    if kind == "boolean":
        return annotate({"type": "boolean"})
    if kind == "null":
        return {"type": "null"}
    if kind == "enum_mixed":
        values = []
        for _ in range(rng.randint(1, 5)):
            v = scalar_value()
            if not any(json.dumps(v) == json.dumps(w) for w in values):
                values.append(v)
        return annotate({"enum": values})
    if kind == "typelist":
        types = rng.sample(["string", "number", "integer", "boolean", "null"], rng.randint(1, 3))
        s = {"type": types}
        if "string" in types and rng.random() < 0.5:
            s["maxLength"] = rng.randint(0, 6)
        return s
    if kind == "object":
        names = rng.sample(NAMES, rng.randint(0, 5))
        s = {"type": "object", "properties": {n: gen_schema(depth + 1) for n in names}}
        if names:
            s["required"] = [n for n in names if rng.random() < 0.6]
        if rng.random() < 0.8:
            s["additionalProperties"] = False
        return annotate(s)
    if kind == "array":
        s = {"type": "array", "items": gen_schema(depth + 1)}
        lo = rng.choice([None, 0, 1, 2])
        hi = rng.choice([None, 1, 2, 3, 4])
        if lo is not None:
            s["minItems"] = lo
        if hi is not None:
            s["maxItems"] = max(hi, lo or 0)
        return annotate(s)
    return {"anyOf": [gen_schema(depth + 1) for _ in range(rng.randint(1, 3))]}


def gen_root():
    names = rng.sample(NAMES, rng.randint(1, 5))
    s = {"type": "object", "properties": {n: gen_schema(1) for n in names}, "additionalProperties": False}
    s["required"] = [n for n in names if rng.random() < 0.7]
    if rng.random() < 0.3:
        s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return s


def instance_for(s, depth=0):
    """A value built to match s (not always: enum members may fail other keywords)."""
    if "anyOf" in s:
        return instance_for(rng.choice(s["anyOf"]), depth)
    if "const" in s:
        return s["const"]
    if "enum" in s:
        return rng.choice(s["enum"])
    t = s.get("type")
    if isinstance(t, list):
        t = rng.choice(t)
    if t == "object":
        out = {}
        for name, sub in s.get("properties", {}).items():
            if name in s.get("required", []) or rng.random() < 0.5:
                out[name] = instance_for(sub, depth + 1)
        return out
    if t == "array":
        lo = s.get("minItems", 0)
        hi = s.get("maxItems", lo + 3)
        return [instance_for(s["items"], depth + 1) for _ in range(rng.randint(lo, hi))]
    if t == "string":
        return any_string(s.get("maxLength", 10))
    if t == "integer":
        return rng.choice([rng.randint(-1000, 1000), 3.0, 10 ** 18])
    if t == "number":
        return rng.choice([rng.uniform(-100, 100), rng.randint(-5, 5), 1e21, -0.5])
    if t == "boolean":
        return rng.choice([True, False])
    return None


def mutate(v):
    """A nearby value that may or may not still match."""
    choice = rng.randrange(9)
    if isinstance(v, dict) and v:
        key = rng.choice(list(v))
        if choice < 3:
            v = dict(v)
            del v[key]
            return v
        if choice < 5:
            v = dict(v)
            v["extra"] = 1
            return v
        v = dict(v)
        v[key] = mutate(v[key])
        return v
    if isinstance(v, list):
        if choice < 3 and v:
            return v[:-1]
        if choice < 6:
            return v + v[:1] if v else [None]
        return [mutate(x) for x in v]
    if isinstance(v, str):
        return rng.choice([v + "xyzxyzxyzxyz", v[:1], 7, None, v.upper()])
    if isinstance(v, bool):
        return rng.choice([1, 0, "true", None])
    if isinstance(v, (int, float)):
        return rng.choice([v + 0.5, str(v), True, float(v), -v])
    return rng.choice([0, False, "", [], {}])


def main():
    schemas, triples = [], []
    while len(schemas) < 160:
        s = gen_root()
        jsonschema.Draft202012Validator.check_schema(s)
        schemas.append(s)
    for i, s in enumerate(schemas):
        validator = jsonschema.Draft202012Validator(s)
        for k in range(16):
            inst = instance_for(s)
            if k % 2 == 1:
                inst = mutate(inst)
            text = json.dumps(inst, ensure_ascii=rng.random() < 0.5)
            triples.append({"schema": i, "instance": text, "valid": validator.is_valid(json.loads(text))})
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "tools/reference/json_schema_fixtures.py", "jsonschema": version("jsonschema"),
            "draft": "2020-12"}
    with open(os.path.join(OUT, "random_schemas.json"), "w") as f:
        json.dump({**meta, "schemas": schemas}, f, ensure_ascii=False, indent=0)
    with open(os.path.join(OUT, "validation_triples.json"), "w") as f:
        json.dump({**meta, "triples": triples}, f, ensure_ascii=False, indent=0)
    valid = sum(t["valid"] for t in triples)
    print(f"{len(schemas)} schemas, {len(triples)} triples ({valid} valid)")


if __name__ == "__main__":
    main()
