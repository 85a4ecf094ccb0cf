"""Benchmark the sparse BM25 index against rank_bm25 on synthetic knowledge bases.

Usage::

    python -m bot.bench [--sizes 1000,10000,100000,1000000] [--queries 300] [--json]
    python -m bot bench --e2e [--sizes 10000,100000,1000000] [--questions 1000] [--json]

For every size the benchmark generates a deterministic synthetic corpus (Zipf-distributed
words from the real ``knowledge/`` vocabulary, padded with generated words), then runs three
fresh processes so each peak RSS belongs to one job:

1. *build*: token lists -> :meth:`SearchIndex.build` -> :meth:`SearchIndex.save`;
2. *serve*: :meth:`SearchIndex.load` (memory-mapped) and the timed queries;
3. *reference* (up to 100k passages): rank_bm25 ``BM25Okapi.get_scores`` on the same tokens,
   the speed-up, and a check that the top 10 ids and scores equal rank_bm25's within 1e-9.

With ``--e2e`` it times the real commands instead (:mod:`bot.bench.e2e`).

This is a script, not a test: it takes minutes and needs a few GB of memory at 1M passages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from bot.bench import workers
from bot.bench.corpus import MEAN_LENGTH, ZIPF_EXPONENT, ZIPF_OFFSET, vocabulary
from bot.bench.report import (
    BuildResult,
    ReferenceResult,
    ServeResult,
    SizeResult,
    format_table,
    machine,
    target_lines,
)
from bot.bench.workers import TIMED_PASSES
from bot.progress import SILENT, Progress

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
DEFAULT_QUERIES = 300
PHASES = ("build", "serve", "reference")
"""The worker runs per size, in order; the reference runs only up to REFERENCE_MAX_SIZE."""
E2E_SIZES = (10_000, 100_000, 1_000_000)
REFERENCE_MAX_SIZE = 100_000
"""rank_bm25 needs ~10 s and a Python dict per passage at 100k; at 1M it is skipped."""


def _load_average() -> float:
    """Return the 1-minute load average (0.0 where unsupported)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _run_worker(
    phase: str, n_passages: int, directory: Path, n_queries: int, words_file: Path
) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return its JSON result."""
    command = [
        sys.executable,
        "-m",
        "bot.bench.run",
        "--worker",
        phase,
        "--worker-size",
        str(n_passages),
        "--worker-dir",
        str(directory),
        "--queries",
        str(n_queries),
        "--worker-vocabulary",
        str(words_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {phase} at {n_passages} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_bench(
    sizes: Sequence[int],
    queries: int,
    json_out: bool,
    out: TextIO | None = None,
    *,
    keep: Path | None = None,
    progress: Progress = SILENT,
) -> int:
    """Run the benchmark and print a Markdown table (or JSON) to ``out``.

    Args:
        sizes: Corpus sizes in passages.
        queries: Number of timed queries per size (the reference runs a subset at 100k).
        json_out: Print one JSON document instead of tables.
        out: Where to print (``sys.stdout`` at the time of the call when None).
        keep: Keep the built indexes under this directory instead of a temporary one.
        progress: Shows the worker runs (a bar in a terminal); without one, a line per size
            goes to stderr unless the output is JSON.

    Returns:
        0 if every compared top 10 equals rank_bm25's, otherwise 1.
    """
    out = sys.stdout if out is None else out
    words, source = vocabulary()
    digest = hashlib.sha256("\n".join(words).encode()).hexdigest()[:12]
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="bot-bench-") as tmp:
        root = keep if keep is not None else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        # Every worker uses this list: knowledge/ may change while the benchmark runs.
        words_file = root / "vocabulary.json"
        words_file.write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
        runs: list[dict[str, dict[str, Any]]] = [{} for _ in sizes]
        loads = [0.0 for _ in sizes]
        steps = [
            (number, n_passages, phase)
            for number, n_passages in enumerate(sizes)
            for phase in PHASES
            if phase != "reference" or n_passages <= REFERENCE_MAX_SIZE
        ]
        for number, n_passages, phase in progress.track(
            steps, "bench", unit="run", describe=lambda step: f"{step[1]:,} passages, {step[2]}"
        ):
            if phase == "build" and not json_out and not progress.active:
                print(f"... {n_passages:,} passages", file=sys.stderr, flush=True)
            directory = root / f"index-{n_passages}"
            before = _load_average()
            runs[number][phase] = _run_worker(phase, n_passages, directory, queries, words_file)
            if phase == "serve":
                loads[number] = max(before, _load_average())
        for n_passages, run, load in zip(sizes, runs, loads, strict=True):
            reference = ReferenceResult(**run["reference"]) if "reference" in run else None
            build, serve = BuildResult(**run["build"]), ServeResult(**run["serve"])
            results.append(SizeResult(n_passages, build, serve, reference, load))
    ok = all(
        r.serve.exhaustive_equal == r.serve.exhaustive_queries
        and (r.reference is None or r.reference.equal_queries == r.reference.queries)
        for r in results
    )
    setup = {
        "vocabulary": f"{source} (sha256 {digest})",
        "zipf": f"p(rank r) ~ (r + {ZIPF_OFFSET})^-{ZIPF_EXPONENT}",
        "passage length": f"lognormal, mean {MEAN_LENGTH}, clipped to 5..400 tokens",
        "queries": f"{queries} of 3-8 distinct terms (80% ranks 50-5000, 15% 5-50, 5% rarer)",
        "timing": (
            f"index.search(k=10), memory-mapped index; one warm-up pass, then percentiles "
            f"over {TIMED_PASSES} passes ({TIMED_PASSES * queries} samples)"
        ),
    }
    if json_out:
        payload = {
            "machine": machine(),
            "setup": setup,
            "results": [asdict(r) for r in results],
            "targets": target_lines(results),
            "all_equal": ok,
        }
        print(json.dumps(payload, indent=2), file=out)
    else:
        for key, value in {**machine(), **setup}.items():
            print(f"- {key}: {value}", file=out)
        print(file=out)
        print(format_table(results), file=out)
        targets = target_lines(results)
        if targets:
            print("\nTargets:", file=out)
            print("\n".join(targets), file=out)
    return 0 if ok else 1


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of sizes: {text!r}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the benchmark's options to ``parser`` (used by ``python -m bot bench``)."""
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="comma-separated corpus sizes in passages (default: 1000,10000,100000,1000000; "
        "with --e2e 10000,100000,1000000)",
    )
    parser.add_argument(
        "--e2e",
        action="store_true",
        help="time the real commands (index, incremental index, cold and warm ask) on a "
        "synthetic knowledge folder instead of the index alone",
    )
    parser.add_argument(
        "--questions",
        type=int,
        default=1000,
        help="with --e2e: warm questions asked in one process (default: 1000)",
    )
    parser.add_argument(
        "--cold-runs", type=int, default=5, help="with --e2e: cold asks per size (default: 5)"
    )
    parser.add_argument(
        "--queries",
        type=int,
        default=DEFAULT_QUERIES,
        help=f"timed queries per size (default: {DEFAULT_QUERIES})",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the built indexes in this directory"
    )
    parser.add_argument(
        "--worker", choices=["build", "serve", "reference"], help=argparse.SUPPRESS
    )
    parser.add_argument("--worker-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-vocabulary", type=Path, help=argparse.SUPPRESS)


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m bot.bench``; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    if argv and argv[0] == "--":  # `python -m bot bench -- --sizes 1000`
        argv = argv[1:]
    args = parser.parse_args(argv)
    if args.e2e:
        from bot.bench.e2e import run_e2e

        if args.cold_runs < 1 or args.questions < 1:
            parser.error("--questions and --cold-runs must be at least 1")
        run_e2e(
            args.sizes or list(E2E_SIZES),
            args.questions,
            args.json,
            keep=args.keep,
            cold_runs=args.cold_runs,
        )
        return 0
    if args.worker:
        size, directory = args.worker_size, args.worker_dir
        words = json.loads(args.worker_vocabulary.read_text(encoding="utf-8"))
        result: Any
        if args.worker == "build":
            result = workers.build_worker(size, directory, words)
        elif args.worker == "serve":
            result = workers.serve_worker(directory, args.queries, words)
        else:
            result = workers.reference_worker(size, directory, args.queries, words)
        print(json.dumps(asdict(result)))
        return 0
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    progress = Progress.on_stderr(json=args.json)
    return run_bench(
        args.sizes or list(DEFAULT_SIZES),
        args.queries,
        args.json,
        keep=args.keep,
        progress=progress,
    )


if __name__ == "__main__":
    raise SystemExit(main())
