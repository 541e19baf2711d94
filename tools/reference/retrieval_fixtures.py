#!/usr/bin/env python3
"""Writes retrieval parity fixtures for RadRetrieval (Tests/RadRetrievalTests/Fixtures/).

References (pinned in requirements.txt): rank-bm25 (BM25Okapi), ir-measures with pytrec_eval
(trec_eval's measures), numpy (brute-force nearest neighbours).

Inputs:
  * radiology figure captions from ROCO / PubMed Central that are CC BY (read from
    ../shared/data/text/roco_radiology_captions_test_val_CCBY.jsonl); every caption used keeps its
    roco_id, PMC image name and licence in the fixture ("attribution"),
  * project-written queries (BM25_QUERIES below) and a seeded synthetic qrels/run pair,
  * seeded Gaussian vectors (exact search is exact whatever the vectors).
No Indiana University text is read.

Usage: retrieval_fixtures.py [OUT_DIR]   (default: Tests/RadRetrievalTests/Fixtures)
"""
import json
import os
import random
import re
import sys

import ir_measures
import numpy as np
import pytrec_eval
import rank_bm25

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "RadRetrievalTests", "Fixtures")
CAPTIONS = os.path.join(ROOT, "..", "shared", "data", "text", "roco_radiology_captions_test_val_CCBY.jsonl")

BM25_QUERIES = [
    "left pleural effusion",
    "CT scan of the abdomen showing a mass",
    "MRI brain T2 hyperintense lesion",
    "fracture of the right femur",
    "contrast enhanced axial image arrow",
    "pneumothorax chest radiograph",
    "no such term xylophone",
    "the the of and",
]


def tokenize(text):
    return re.findall(r"\w+", text.lower())


def bm25_fixture():
    captions = []
    with open(CAPTIONS, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            captions.append(item)
            if len(captions) == 300:
                break
    corpus = [tokenize(c["caption"]) for c in captions]
    bm25 = rank_bm25.BM25Okapi(corpus)
    queries = []
    for q in BM25_QUERIES:
        queries.append({"query": q, "tokens": tokenize(q), "scores": [float(s) for s in bm25.get_scores(tokenize(q))]})
    return {
        "reference": f"rank_bm25 {rank_bm25.__version__ if hasattr(rank_bm25, '__version__') else ''} BM25Okapi "
        "(k1=1.5, b=0.75, epsilon=0.25); tokens = re.findall(r'\\w+', text.lower())",
        "attribution": "Captions from ROCO (Pelka et al. 2018) / PubMed Central figures, CC BY; see each item",
        "documents": [
            {"roco_id": c["roco_id"], "pmc_image": c["pmc_image"], "license": c["license"], "text": c["caption"],
             "tokens": tok}
            for c, tok in zip(captions, corpus)
        ],
        "queries": queries,
    }


def metrics_fixture():
    rng = random.Random(13)
    qrels_lines, run_lines = [], []
    qrels, run = {}, {}
    for q in range(1, 21):
        qid = f"q{q}"
        docs = [f"d{d}" for d in range(1, 41)]
        judged = rng.sample(docs, 12)
        qrels[qid] = {}
        for i, d in enumerate(judged):
            rel = [0, 1, 1, 2, 3][rng.randrange(5)] if i else 1 + rng.randrange(2)  # each query has a relevant doc
            qrels[qid][d] = rel
            qrels_lines.append(f"{qid} 0 {d} {rel}")
        if q == 20:
            continue  # judged but not run: must not count
        retrieved = rng.sample(docs, 25)
        run[qid] = {}
        for rank, d in enumerate(retrieved):
            score = round(10 - rank * 0.4, 1) if rank % 5 else round(10 - (rank - 1) * 0.4, 1)  # some ties
            run[qid][d] = score
            run_lines.append(f"{qid} Q0 {d} {rank + 1} {score} fixture")
    # a run query without judgements: ignored
    run["q99"] = {"d1": 1.0}
    run_lines.append("q99 Q0 d1 1 1.0 fixture")
    expected, pytrec = {}, {}
    for k in (1, 5, 10):
        measures = [ir_measures.R @ k, ir_measures.P @ k, ir_measures.RR, ir_measures.nDCG @ k]
        agg = ir_measures.calc_aggregate(measures, qrels, run)
        expected[str(k)] = {
            "recall": agg[ir_measures.R @ k], "precision": agg[ir_measures.P @ k], "mrr": agg[ir_measures.RR],
            "ndcg": agg[ir_measures.nDCG @ k],
        }
        # pytrec_eval (trec_eval without -c) averages over the run's judged queries only; ir-measures
        # counts a judged query the run lacks as 0.
        evaluator = pytrec_eval.RelevanceEvaluator(qrels, {f"recall.{k}", f"P.{k}", "recip_rank", f"ndcg_cut.{k}"})
        per = evaluator.evaluate(run)
        mean = lambda key: sum(v[key] for v in per.values()) / len(per)
        pytrec[str(k)] = {"recall": mean(f"recall_{k}"), "precision": mean(f"P_{k}"), "mrr": mean("recip_rank"),
                          "ndcg": mean(f"ndcg_cut_{k}")}
        judged = len(qrels)
        for m in ("recall", "precision", "mrr", "ndcg"):
            assert abs(pytrec[str(k)][m] * len(per) / judged - expected[str(k)][m]) < 1e-12
    with open(os.path.join(OUT, "retrieval_qrels.txt"), "w") as f:
        f.write("\n".join(qrels_lines) + "\n")
    with open(os.path.join(OUT, "retrieval_run.txt"), "w") as f:
        f.write("\n".join(run_lines) + "\n")
    return {"reference": f"ir-measures {ir_measures.__version__} calc_aggregate (judged queries missing from the run "
            f"count as 0); pytrec_eval {pytrec_eval.__version__ if hasattr(pytrec_eval, '__version__') else ''} "
            "RelevanceEvaluator means over the run's judged queries",
            "queries_judged": len(qrels), "queries_evaluated": len([q for q in run if q in qrels]),
            "by_k": expected, "pytrec_eval_by_k": pytrec}


def exact_fixture():
    rng = np.random.default_rng(7)
    n, d, nq, k = 2000, 48, 12, 10
    vectors = rng.standard_normal((n, d)).astype(np.float32)
    vectors[:200] *= 3  # some long vectors, so dot and cosine rankings differ
    queries = rng.standard_normal((nq, d)).astype(np.float32)
    out = {"n": n, "d": d, "k": k, "vectors_file": "exact_vectors.f32", "queries_file": "exact_queries.f32"}
    for metric in ("dot", "cosine", "l2"):
        if metric == "dot":
            scores = queries @ vectors.T
        elif metric == "cosine":
            vn = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            qn = queries / np.linalg.norm(queries, axis=1, keepdims=True)
            scores = qn @ vn.T
        else:
            scores = -((queries[:, None, :].astype(np.float64) - vectors[None, :, :]) ** 2).sum(-1)
        rows = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        out[metric] = {"rows": rows.tolist(), "scores": np.take_along_axis(scores, rows, 1).astype(float).tolist()}
    vectors.astype("<f4").tofile(os.path.join(OUT, "exact_vectors.f32"))
    queries.astype("<f4").tofile(os.path.join(OUT, "exact_queries.f32"))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "bm25_okapi.json"), "w", encoding="utf-8") as f:
        json.dump(bm25_fixture(), f, ensure_ascii=False, indent=0)
    with open(os.path.join(OUT, "retrieval_metrics.json"), "w") as f:
        json.dump(metrics_fixture(), f, indent=1)
    with open(os.path.join(OUT, "exact_search.json"), "w") as f:
        json.dump(exact_fixture(), f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
