"""Writes open_clip's tokenization of project-written texts for RadLM's CLIP tokenizer test.

Run from the repository root with the pinned environment (requirements.txt: open-clip-torch,
ftfy) after `radlm fetch openclip`:
    python tools/reference/clip_tokenizer_fixtures.py
It writes Tests/RadTokenizersTests/Fixtures/clip_tokenizer.json: each text with the ids of
open_clip.tokenize (context length 77: start, ids, end, zero padding; long texts cut).
"""
import importlib.metadata
import importlib.util
import json
import pathlib

# open_clip's package __init__ imports torchvision and timm, which the tokenizer does not need:
# load its tokenizer module on its own.
_spec = importlib.util.find_spec("open_clip")
_path = pathlib.Path(_spec.submodule_search_locations[0]) / "tokenizer.py"
_loader = importlib.util.spec_from_file_location("open_clip_tokenizer", _path)
open_clip = importlib.util.module_from_spec(_loader)
_loader.loader.exec_module(open_clip)

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "RadTokenizersTests" / "Fixtures" / "clip_tokenizer.json"

TEXTS = [
    "a chest x-ray showing pneumonia",
    "A Chest X-Ray Showing NO acute cardiopulmonary process.",
    "There's a 2.5 cm nodule in the right upper lobe; it's unchanged since 2019-03-14.",
    "  multiple   spaces\tand\nnewlines  ",
    "Heart size is normal &amp; lungs are clear &lt;no effusion&gt; &#39;stable&#39; &amp;amp;",
    "Pleural effusion (small), s/p CABG, ET tube 4cm above carina!!! ??",
    "they'll see we've done what you'd hoped I'm sure THEY'RE",
    "café naïve résumé Ærø straße",
    "Röntgen-Thorax: kein Nachweis eines Pneumothorax",
    "μ-opioid β-blocker α1 ½ ² ٣",
    "肺炎 胸部X線 폐렴",
    "emoji 🫁 lungs 🩻 x-ray",
    "‘curly quotes’ and “double quotes”",
    "<start_of_text> inside <end_of_text> text",
    "",
    "cardiomegaly " * 40,
    "ﬁbrosis ﬂow",
]


def main():
    tokens = open_clip.tokenize(TEXTS)
    payload = {"open_clip": importlib.metadata.version("open-clip-torch"), "ftfy": importlib.metadata.version("ftfy"), "context_length": 77,
               "cases": [{"text": t, "ids": [int(v) for v in row]} for t, row in zip(TEXTS, tokens)]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
