#!/usr/bin/env python3
"""RadEval vs the Python reference packages on 10,000 text pairs, in one run.

Pairs: CC BY radiology captions from ROCO/PubMed Central (../shared/data/text/, attribution in the
source file) as references, each with a seeded word-level perturbation as hypothesis (captions are
reused cyclically with different perturbations to reach N). Written to a temporary directory only.

Python side (in-process, imports excluded from timing): rouge-score 0.1.2 RougeScorer over
rouge1/rouge2/rougeL/rougeLsum for every pair (+ mean), without and with stemming; sacrebleu 2.6.0
corpus BLEU, corpus BLEU + sentence BLEU per pair, and corpus chrF.
RadLM side: `radlm eval … --json [--per-pair] --time` (release build), timed as a whole process
(wall) and by the command itself (reading + scoring, --time). Both sides' numbers are compared.

Usage: benchmarks/metrics_bench.py [--radlm PATH] [--n 10000] [--repeat 3]
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
CAPTIONS = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "text",
                                         "roco_radiology_captions_test_val_CCBY.jsonl"))


def make_pairs(n, seed=7):
    caps = []
    with open(CAPTIONS, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("license") == "CC BY" and r["caption"].strip():
                caps.append(r["caption"])
    rng = random.Random(seed)
    pairs = []
    for i in range(n):
        ref = caps[i % len(caps)]
        out = []
        for w in ref.split():
            u = rng.random()
            if u < 0.1:
                continue
            if u < 0.18:
                out.append(rng.choice(caps[(i * 7) % len(caps)].split() or [w]))
            else:
                out.append(w)
        pairs.append((ref, " ".join(out)))
    return pairs


def best_of(fn, repeat):
    """Best wall time and best CPU time (user+sys of this process) over `repeat` runs."""
    best, best_cpu, result = None, None, None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        best = dt if best is None else min(best, dt)
        best_cpu = dc if best_cpu is None else min(best_cpu, dc)
    return (best, best_cpu), result


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_radlm(radlm, args, repeat):
    """Best wall time of the whole process, best in-command time (--time) and best CPU time
    (user+sys over both threads) of the process."""
    best_wall, best_inner, best_cpu, out = None, None, None, None
    for _ in range(repeat):
        t, c = time.perf_counter(), children_cpu()
        p = subprocess.run([radlm] + args + ["--json", "--time"], capture_output=True, text=True)
        wall, cpu = time.perf_counter() - t, children_cpu() - c
        if p.returncode != 0:
            sys.exit(f"radlm failed: {' '.join(args)}\n{p.stderr}")
        inner = float(p.stderr.strip().split("seconds:")[-1])
        out = json.loads(p.stdout)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_inner = inner if best_inner is None else min(best_inner, inner)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return (best_wall, best_inner, best_cpu), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", default=os.path.join(ROOT, ".build", "release", "radlm"))
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    from rouge_score import rouge_scorer
    import sacrebleu

    load0 = os.getloadavg()
    pairs = make_pairs(a.n)
    tmp = tempfile.mkdtemp(prefix="radlm-metrics-bench-")
    path = os.path.join(tmp, "pairs.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r, h in pairs:
            f.write(json.dumps({"reference": r, "hypothesis": h}, ensure_ascii=False) + "\n")
    refs = [r for r, _ in pairs]
    hyps = [h for _, h in pairs]
    types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    print(f"{a.n} pairs, mean reference length {sum(len(r.split()) for r in refs) / len(refs):.1f} words; "
          f"best of {a.repeat}; 2 CPU cores")
    rows = []

    def rouge_py(stem):
        sc = rouge_scorer.RougeScorer(types, use_stemmer=stem)
        per = [sc.score(r, h) for r, h in pairs]
        return {k: sum(s[k].fmeasure for s in per) / len(per) for k in types}

    for stem in (False, True):
        py_t, py_v = best_of(lambda: rouge_py(stem), a.repeat)
        args = ["eval", "rouge", "--pairs", path] + (["--stem"] if stem else [])
        rl, out = run_radlm(a.radlm, args, a.repeat)
        diff = max(abs(out["score"][k]["f"] - py_v[k]) for k in types)
        rows.append((f"ROUGE-1/2/L/Lsum{' +stem' if stem else ''} (per pair + mean)", py_t, rl, diff))

    bleu_t, bleu_v = best_of(lambda: sacrebleu.corpus_bleu(hyps, [refs]).score, a.repeat)
    rl, out = run_radlm(a.radlm, ["eval", "bleu", "--pairs", path], a.repeat)
    rows.append(("BLEU corpus (13a, exp)", bleu_t, rl, abs(out["score"] - bleu_v)))

    def bleu_both():
        c = sacrebleu.corpus_bleu(hyps, [refs]).score
        s = [sacrebleu.sentence_bleu(h, [r]).score for r, h in pairs]
        return c, s
    both_t, (c, s) = best_of(bleu_both, a.repeat)
    rl, out = run_radlm(a.radlm, ["eval", "bleu", "--pairs", path, "--per-pair"], a.repeat)
    d = max([abs(out["score"] - c)] + [abs(x["score"] - y) for x, y in zip(out["per_pair"], s)])
    rows.append(("BLEU corpus + sentence BLEU per pair", both_t, rl, d))

    chrf_t, chrf_v = best_of(lambda: sacrebleu.corpus_chrf(hyps, [refs]).score, a.repeat)
    rl, out = run_radlm(a.radlm, ["eval", "chrf", "--pairs", path], a.repeat)
    rows.append(("chrF corpus", chrf_t, rl, abs(out["score"] - chrf_v)))

    print(f"load average before/after: {load0} / {os.getloadavg()}")
    print("\nWall: Python in-process scoring vs the whole radlm process (start, read JSONL, score, print JSON).")
    print("CPU: user+sys seconds (radlm over both threads), robust when other jobs share the cores.\n")
    print("| metric | Python wall (s) | radlm wall (s) | wall ratio | radlm read+score (s) | Python CPU (s) | radlm CPU (s) | CPU ratio | max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, (py, pyc), (wall, inner, cpu), diff in rows:
        print(f"| {name} | {py:.3f} | {wall:.3f} | {py / wall:.1f}x | {inner:.3f} | {pyc:.3f} | {cpu:.3f} | "
              f"{pyc / max(cpu, 1e-9):.1f}x | {diff:.1e} |")


if __name__ == "__main__":
    main()
