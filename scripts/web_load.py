"""Latency of the web chat's JSON API under load: many clients ask ``POST /api/ask`` at once.

Usage (from the repo root)::

    .venv/bin/python scripts/web_load.py                     # 1,000 questions, 50 clients
    .venv/bin/python scripts/web_load.py --clients 1         # one client: the unloaded time
    .venv/bin/python scripts/web_load.py --json              # machine-readable

This is a measuring script, not a test: it asserts nothing about timing. It exits 1 when a
question got no 200 answer, and 0 otherwise.

How a run works:

1. ``python -m bot web --port 0`` starts as a subprocess (its own interpreter, so the load
   generator does not share its GIL) with the bundled knowledge, a temporary data folder (so
   the question log is on, as in production) and ``BOT_QUESTIONS_PER_MINUTE`` high enough
   that the per-client limit refuses nothing. It listens on 127.0.0.1.
2. Questions are the ``q`` fields of eval/*.yaml and eval/holdout/*.yaml, shuffled with a
   fixed seed and reused in a cycle.
3. ``--clients`` clients (default 50), each with its own keep-alive connection, take the next
   question as soon as their previous answer has arrived (a closed loop), until
   ``--questions`` (default 1,000) have been answered. ``--warmup`` questions (default 20)
   go first and are not counted.
4. Latency is the time from sending the request to having read the whole JSON answer, taken
   in this process with ``time.perf_counter``. Throughput is answered questions over the
   wall time of the measured part.
5. The server is stopped with SIGTERM; its CPU time and peak RSS are read from /proc first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
QUESTION_FILES = ("eval/*.yaml", "eval/holdout/*.yaml")
HIGH_LIMIT = 10_000_000
STARTUP_TIMEOUT = 90.0


def load_questions(root: Path = REPO) -> list[str]:
    """Return every ``q`` of the evaluation files, in file order."""
    questions = []
    for pattern in QUESTION_FILES:
        for path in sorted(root.glob(pattern)):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            questions += [str(item["q"]) for item in data.get("questions", []) if item.get("q")]
    if not questions:
        raise SystemExit("error: no questions found in eval/")
    return questions


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile (0-1) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m bot web`` on a free port; return the process and its URL."""
    env = {
        **os.environ,
        "BOT_DATA_DIR": str(data_dir),
        "BOT_QUESTIONS_PER_MINUTE": str(HIGH_LIMIT),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    line = process.stdout.readline()
    if " on http://" not in line or time.monotonic() > deadline:
        process.kill()
        raise SystemExit(f"error: the web chat did not start ({line.strip() or 'no output'})")
    return process, line.split(" on ", 1)[1].strip()


def server_usage(pid: int) -> dict[str, float]:
    """Return the server's CPU seconds and peak RSS in MB, read from /proc (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    except (OSError, ValueError, IndexError, StopIteration):
        return {}
    return {"cpu_seconds": round(cpu, 2), "peak_rss_mb": round(peak / 1024, 1)}


async def load(url: str, questions: list[str], clients: int) -> tuple[list[float], Counter]:
    """Ask every question once with ``clients`` concurrent clients; return latencies (s)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for question in questions:
        queue.put_nowait(question)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def client() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            while True:
                try:
                    question = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                response = await http.post("api/ask", json={"question": question})
                body = response.content
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    json.loads(body)

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, statuses


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000, help="measured questions (1000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--warmup", type=int, default=20, help="uncounted questions first (20)")
    parser.add_argument("--seed", type=int, default=14, help="shuffle seed (14)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.questions < 1 or args.clients < 1 or args.warmup < 0:
        parser.error("--questions and --clients must be at least 1, --warmup at least 0")

    pool = load_questions()
    random.Random(args.seed).shuffle(pool)
    total = args.warmup + args.questions
    asked = [pool[index % len(pool)] for index in range(total)]
    with tempfile.TemporaryDirectory() as scratch:
        process, url = start_server(Path(scratch))
        try:
            asyncio.run(load(url, asked[: args.warmup], min(args.clients, 8)))
            started = time.perf_counter()
            latencies, statuses = asyncio.run(load(url, asked[args.warmup :], args.clients))
            wall = time.perf_counter() - started
            usage = server_usage(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    milliseconds = [value * 1000 for value in latencies]
    report = {
        "questions": len(latencies),
        "clients": args.clients,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "p50_ms": round(percentile(milliseconds, 0.50), 1),
        "p95_ms": round(percentile(milliseconds, 0.95), 1),
        "p99_ms": round(percentile(milliseconds, 0.99), 1),
        "max_ms": round(max(milliseconds), 1),
        "mean_ms": round(statistics.fmean(milliseconds), 1),
        "throughput_qps": round(len(latencies) / wall, 1),
        "wall_seconds": round(wall, 2),
        "cpus": os.cpu_count(),
        **usage,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{report['questions']} questions, {args.clients} concurrent clients, "
            f"127.0.0.1, POST /api/ask"
        )
        print(
            f"latency ms  p50 {report['p50_ms']}  p95 {report['p95_ms']}  "
            f"p99 {report['p99_ms']}  max {report['max_ms']}  mean {report['mean_ms']}"
        )
        print(
            f"throughput  {report['throughput_qps']} questions/s over {report['wall_seconds']} s"
            f"  (statuses {report['statuses']})"
        )
        if usage:
            print(
                f"server      {usage['cpu_seconds']} CPU s, peak RSS {usage['peak_rss_mb']} MB"
                f"  ({report['cpus']} CPUs on this machine)"
            )
    return 0 if statuses.get(200, 0) == len(latencies) else 1


if __name__ == "__main__":
    raise SystemExit(main())
