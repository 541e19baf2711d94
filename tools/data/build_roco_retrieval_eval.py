#!/usr/bin/env python3
"""Builds RadLM's committed CC BY retrieval evaluation set from ROCO figure captions.

Input: ../shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl (ROCO, Pelka et al. 2018:
figure captions of PubMed Central open-access articles; only CC BY items), read in place.
Task ("caption halves", known-item retrieval): every caption of at least 16 words is cut at the
word nearest its middle; the second half is a document, the first half the query whose only
relevant document is its own second half. All 3,000 documents are searched by 500 of the
queries (seeded choice), so the other halves act as distractors. Documents keep the caption's
roco_id, PMC image name and licence.

Output (data/retrieval/roco_caption_halves/): corpus.jsonl ({"id","text","roco_id","pmc_image",
"license"}), queries.jsonl ({"id","query"}), qrels.txt (TREC), ATTRIBUTION.md.
Usage: python3 tools/data/build_roco_retrieval_eval.py
"""
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "..", "shared", "data", "text", "roco_radiology_captions_test_val_CCBY.jsonl")
OUT = os.path.join(ROOT, "data", "retrieval", "roco_caption_halves")


def main():
    items = []
    with open(SOURCE, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            words = item["caption"].split()
            if item.get("license") == "CC BY" and len(words) >= 16:
                items.append(item)
    rng = random.Random(13)
    rng.shuffle(items)
    items = sorted(items[:3000], key=lambda i: i["roco_id"])
    os.makedirs(OUT, exist_ok=True)
    queries, qrels = [], []
    with open(os.path.join(OUT, "corpus.jsonl"), "w", encoding="utf-8") as corpus:
        for item in items:
            words = item["caption"].split()
            half = len(words) // 2
            doc = {"id": item["roco_id"], "text": " ".join(words[half:]), "roco_id": item["roco_id"],
                   "pmc_image": item["pmc_image"], "license": item["license"]}
            corpus.write(json.dumps(doc, ensure_ascii=False) + "\n")
            queries.append({"id": "q-" + item["roco_id"], "query": " ".join(words[:half])})
            qrels.append(f"q-{item['roco_id']} 0 {item['roco_id']} 1")
    chosen = sorted(rng.sample(range(len(queries)), 500))
    with open(os.path.join(OUT, "queries.jsonl"), "w", encoding="utf-8") as f:
        for i in chosen:
            f.write(json.dumps(queries[i], ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "qrels.txt"), "w") as f:
        f.write("\n".join(qrels[i] for i in chosen) + "\n")
    with open(os.path.join(OUT, "ATTRIBUTION.md"), "w") as f:
        f.write(
            "# Attribution\n\n"
            "The texts in `corpus.jsonl` and `queries.jsonl` are halves of figure captions from the ROCO data set\n"
            "(O. Pelka, S. Koitka, J. Rückert, F. Nensa, C. M. Friedrich: \"Radiology Objects in COntext (ROCO): A\n"
            "Multimodal Image Dataset\", LABELS 2018), which collects figures of PubMed Central open-access articles.\n"
            "Only items licensed CC BY are used; each document keeps its `roco_id`, the PubMed Central image name\n"
            "(`pmc_image`, whose PMC number names the source article) and its `license`. The captions are the work\n"
            "of those articles' authors, under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); RadLM cut\n"
            "them in two (first half = query, second half = document) with tools/data/build_roco_retrieval_eval.py.\n")
    print(f"{len(items)} documents, {len(chosen)} queries -> {OUT}")


if __name__ == "__main__":
    main()
