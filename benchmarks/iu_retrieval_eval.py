#!/usr/bin/env python3
"""Retrieval evaluation built at run time from the fetched Indiana University reports (CC BY-NC-ND:
read in place, written only to a temporary folder, never into the repository).

Task: each test-split report (report number mod 10 = 0) with both sections gives one document
(its FINDINGS, id iu-<number>) and one query (its IMPRESSION); the query's one relevant document
is its own report's findings. Runs `radlm rag index` over the documents, `radlm rag search
--queries` in each mode, and `radlm eval retrieval` on each run, printing the measures.

Usage: /work/venv-ref/py/bin/python benchmarks/iu_retrieval_eval.py [--radlm .build/release/radlm] [--k 10]
"""
import argparse, json, os, re, subprocess, sys, tarfile, tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from retrieval_bench import IU, ROOT  # noqa: E402


def reports():
    """(number, findings, impression) of each report in the archive."""
    with tarfile.open(IU, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            number = int(re.sub(r"\D", "", os.path.basename(member.name)) or -1)
            root = ET.fromstring(tar.extractfile(member).read())
            sections = {(n.get("Label") or "").upper(): " ".join((n.text or "").split()) for n in root.iter("AbstractText")}
            yield number, sections.get("FINDINGS", ""), sections.get("IMPRESSION", "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", default=os.path.join(ROOT, ".build/release/radlm"))
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, queries, qrels = [], [], []
        for number, findings, impression in reports():
            if number % 10 != 0 or not findings or not impression:
                continue
            corpus.append({"id": f"iu-{number}", "text": findings})
            queries.append({"id": f"q-{number}", "query": impression})
            qrels.append(f"q-{number} 0 iu-{number} 1")
        paths = {name: os.path.join(tmp, name) for name in ("corpus.jsonl", "queries.jsonl", "qrels.txt")}
        with open(paths["corpus.jsonl"], "w") as f:
            f.writelines(json.dumps(c) + "\n" for c in corpus)
        with open(paths["queries.jsonl"], "w") as f:
            f.writelines(json.dumps(q) + "\n" for q in queries)
        with open(paths["qrels.txt"], "w") as f:
            f.write("\n".join(qrels) + "\n")
        db = os.path.join(tmp, "iu.sqlite")
        subprocess.run([args.radlm, "rag", "index", "--db", db, "--model", "minilm", paths["corpus.jsonl"]], check=True,
                       capture_output=True)
        print(f"IU test split: {len(corpus)} findings documents, {len(queries)} impression queries, k={args.k}")
        print("| mode | recall@k | precision@k | MRR | nDCG@k |\n|---|---|---|---|---|")
        for mode in ("exact", "hnsw", "bm25", "hybrid"):
            run = os.path.join(tmp, f"run-{mode}.jsonl")
            with open(run, "w") as out:
                subprocess.run([args.radlm, "rag", "search", "--db", db, "--k", str(args.k), "--mode", mode,
                                "--queries", paths["queries.jsonl"]], check=True, stdout=out, stderr=subprocess.DEVNULL)
            m = json.loads(subprocess.run([args.radlm, "eval", "retrieval", "--qrels", paths["qrels.txt"], "--run", run,
                                           "--k", str(args.k), "--json"], check=True, capture_output=True, text=True).stdout)
            print(f"| {mode} | {m['recall']:.4f} | {m['precision']:.4f} | {m['mrr']:.4f} | {m['ndcg']:.4f} |")


if __name__ == "__main__":
    main()
