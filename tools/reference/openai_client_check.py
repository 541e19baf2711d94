"""Drives a running `radlm serve` with the official OpenAI Python client (pinned in
tools/reference/requirements.txt) and checks what the client sees: model list, greedy chat equal
to the expected text (non-streamed and streamed), embeddings equal to the expected float32 vectors
(the client asks for base64), `response_format` JSON-schema output (greedy and sampled, streamed or
not) that `jsonschema` validates, `json_object` output that parses as an object, and errors raised
as the client's exception classes.

Run by RadServerTests (ServerOpenAIClientTests), which starts the server and writes the expected
values (from the same in-process calls `radlm generate` and `radlm embed` make) to --expected:
    python openai_client_check.py --base-url http://127.0.0.1:PORT/v1 --api-key KEY --expected F
Prints one line per check; exits 1 at the first failure.
"""

import argparse
import json
import struct
import sys

import jsonschema
import openai

FINDING_SCHEMA = {
    "type": "object",
    "properties": {
        "finding": {"type": "string", "maxLength": 40},
        "laterality": {"enum": ["left", "right", "bilateral", "none"]},
        "urgent": {"type": "boolean"},
        "size_mm": {"type": "integer"},
    },
    "required": ["finding", "laterality", "urgent"],
    "additionalProperties": False,
}
REPORT = [{"role": "system", "content": "Extract the main finding of the report as JSON."},
          {"role": "user", "content": "Report: Small left pleural effusion. No pneumothorax."}]


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def float32(values):
    """The float32 values a list of Python floats stands for (exact comparison)."""
    return list(struct.unpack(f"{len(values)}f", struct.pack(f"{len(values)}f", *values)))


def expect_error(kind, call, param=None):
    try:
        call()
    except kind as error:
        body = error.body if isinstance(error.body, dict) else {}
        if param is not None and body.get("param") != param:
            fail(f"{kind.__name__} names param {body.get('param')!r}, expected {param!r}")
        return error
    except openai.APIError as error:
        fail(f"expected {kind.__name__}, got {type(error).__name__}: {error}")
    fail(f"expected {kind.__name__}, the call succeeded")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--expected", required=True)
    args = parser.parse_args()
    with open(args.expected) as f:
        expected = json.load(f)
    # The server under test runs inside the Swift test process, whose few executor threads are
    # shared with every other suite running beside it: a reply may wait minutes for a thread
    # there, so the client waits long (the check is of answers and errors, not of latency).
    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0, timeout=1800)

    ids = [model.id for model in client.models.list()]
    check(ids == [expected["model"], expected["embedding_model"]], f"models.list gives {ids}")

    chat = expected["chat"]
    messages = [{"role": "user", "content": chat["question"]}]
    reply = client.chat.completions.create(
        model=expected["model"], messages=messages, temperature=0, max_tokens=chat["max_tokens"])
    check(reply.choices[0].message.content == chat["text"], "greedy chat equals radlm generate")
    check(reply.usage.completion_tokens == chat["completion_tokens"], "usage.completion_tokens")

    pieces = []
    usage = None
    for chunk in client.chat.completions.create(
            model=expected["model"], messages=messages, temperature=0, max_tokens=chat["max_tokens"], stream=True,
            stream_options={"include_usage": True}):
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
        if chunk.usage is not None:
            usage = chunk.usage
    check("".join(pieces) == chat["text"], "streamed chat equals radlm generate")
    check(usage is not None and usage.completion_tokens == chat["completion_tokens"], "streamed usage chunk")

    embeddings = expected["embeddings"]
    result = client.embeddings.create(model=expected["embedding_model"], input=embeddings["inputs"])
    vectors = [item.embedding for item in sorted(result.data, key=lambda item: item.index)]
    check(len(vectors) == len(embeddings["vectors"]), "one embedding per input")
    for i, (ours, theirs) in enumerate(zip(vectors, embeddings["vectors"])):
        check(float32(ours) == float32(theirs), f"embedding {i} equals radlm embed (float32, exact)")

    expect_error(openai.NotFoundError, lambda: client.chat.completions.create(
        model="no-such-model", messages=messages), param="model")
    print("ok: unknown model raises NotFoundError")
    expect_error(openai.BadRequestError, lambda: client.chat.completions.create(
        model=expected["model"], messages=[{"role": "user", "content": "lung " * 3000}]), param="messages")
    print("ok: a prompt longer than the context raises BadRequestError")
    expect_error(openai.BadRequestError, lambda: client.chat.completions.create(
        model=expected["model"], messages=messages, temperature="warm"), param="temperature")
    print("ok: a wrong type raises BadRequestError")
    schema_format = {"type": "json_schema", "json_schema": {"name": "finding", "schema": FINDING_SCHEMA, "strict": True}}
    for temperature, seed, stream in [(0, 0, False), (0, 0, True), (1, 3, False), (1, 4, True)]:
        request = dict(model=expected["model"], messages=REPORT, temperature=temperature, seed=seed, max_tokens=80,
                       response_format=schema_format)
        if stream:
            text = "".join(choice.delta.content or "" for chunk in client.chat.completions.create(stream=True, **request)
                           for choice in chunk.choices)
        else:
            text = client.chat.completions.create(**request).choices[0].message.content
        try:
            jsonschema.validate(json.loads(text), FINDING_SCHEMA)
        except (ValueError, jsonschema.ValidationError) as error:
            fail(f"json_schema output {text!r} does not validate: {error}")
        check(True, f"json_schema output validates (temperature {temperature}, stream {stream}): {text}")
    text = client.chat.completions.create(model=expected["model"], messages=REPORT, temperature=1, seed=5,
                                          max_tokens=60, response_format={"type": "json_object"}
                                          ).choices[0].message.content
    try:
        parsed = json.loads(text)
    except ValueError as error:
        fail(f"json_object output {text!r} is not JSON: {error}")
    check(isinstance(parsed, dict), f"json_object output is an object: {text}")
    expect_error(openai.BadRequestError, lambda: client.chat.completions.create(
        model=expected["model"], messages=messages, response_format={
            "type": "json_schema", "json_schema": {"name": "p", "schema": {"type": "string", "pattern": "a+"}}}),
        param="response_format.json_schema.schema")
    print("ok: a schema outside the supported subset raises BadRequestError naming the schema")
    wrong_key = openai.OpenAI(base_url=args.base_url, api_key="wrong", max_retries=0)
    expect_error(openai.AuthenticationError, lambda: wrong_key.models.list())
    print("ok: a wrong key raises AuthenticationError")
    print("all checks passed")


if __name__ == "__main__":
    main()
