"""Renders conversations with SmolLM2's own chat template (read from its GGUF, Apache-2.0) using
jinja2 as transformers' apply_chat_template does, for RadTokenizers' ChatTemplate tests.

    python tools/reference/chat_template_fixtures.py PATH/TO/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import pathlib
import sys

import gguf
from jinja2.sandbox import ImmutableSandboxedEnvironment

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadTokenizersTests" / "Fixtures" / "chat_templates.json"

CONVERSATIONS = [
    [{"role": "user", "content": "Summarize: small left pleural effusion."}],
    [{"role": "system", "content": "You are a radiology assistant."},
     {"role": "user", "content": "FINDINGS: Heart size is normal. The lungs are clear."},
     {"role": "assistant", "content": "No acute cardiopulmonary abnormality."}],
    [{"role": "user", "content": "Deauville score for SUVmax 6.2 above liver?"},
     {"role": "assistant", "content": "Deauville 4."},
     {"role": "user", "content": "And below mediastinal blood pool?"}],
]


def main():
    reader = gguf.GGUFReader(sys.argv[1])
    field = reader.fields["tokenizer.chat_template"]
    template_text = bytes(field.parts[field.data[0]]).decode()
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(template_text)
    cases = []
    for messages in CONVERSATIONS:
        for generation in (False, True):
            cases.append({"messages": messages, "add_generation_prompt": generation,
                          "text": template.render(messages=messages, add_generation_prompt=generation)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"chatml_smollm2": cases}, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
