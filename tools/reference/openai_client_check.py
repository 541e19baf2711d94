"""Drives a running `radlm serve` with the official OpenAI Python client (pinned in
tools/reference/requirements.txt) and checks what the client sees: model list, greedy chat equal
to the expected text (non-streamed and streamed), embeddings equal to the expected float32 vectors
(the client asks for base64), and errors raised as the client's exception classes.

Run by RadServerTests (ServerOpenAIClientTests), which starts the server and writes the expected
values (from the same in-process calls `radlm generate` and `radlm embed` make) to --expected:
    python openai_client_check.py --base-url http://127.0.0.1:PORT/v1 --api-key KEY --expected F
Prints one line per check; exits 1 at the first failure.
"""

import argparse
import json
import struct
import sys

import openai


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
    expect_error(openai.BadRequestError, lambda: client.chat.completions.create(
        model=expected["model"], messages=messages, response_format={
            "type": "json_schema", "json_schema": {"name": "finding", "schema": {"type": "object"}}}),
        param="response_format")
    print("ok: json_schema without the constrained decoder raises BadRequestError naming response_format")
    wrong_key = openai.OpenAI(base_url=args.base_url, api_key="wrong", max_retries=0)
    expect_error(openai.AuthenticationError, lambda: wrong_key.models.list())
    print("ok: a wrong key raises AuthenticationError")
    print("all checks passed")


if __name__ == "__main__":
    main()
