"""Results of :mod:`bot.bench.run` and their report: measurements, machine, tables, targets."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class BuildResult:
    """What the build process measured."""

    passages: int
    tokens: int
    terms: int
    postings: int
    build_s: float
    save_s: float
    disk_bytes: int
    peak_rss_bytes: int
    corpus_rss_bytes: int
    """RSS after generating the token lists, before building (the input's share of the peak)."""


@dataclass(frozen=True)
class ServeResult:
    """What the serving process measured (index loaded with mmap)."""

    load_ms: float
    queries: int
    cold_p50_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_postings: float
    exhaustive_queries: int
    exhaustive_equal: int
    """Queries whose top 10 equals an exhaustive sort of ``scores_for`` (all sizes, incl. 1M)."""
    peak_rss_bytes: int


@dataclass(frozen=True)
class ReferenceResult:
    """rank_bm25 on the same tokens and the top-10 comparison."""

    queries: int
    init_s: float
    p50_ms: float
    p95_ms: float
    index_p50_ms: float
    speedup_p50: float
    equal_queries: int
    identical_ids_queries: int
    max_abs_diff: float
    peak_rss_bytes: int


@dataclass(frozen=True)
class SizeResult:
    """All measurements for one corpus size."""

    passages: int
    build: BuildResult
    serve: ServeResult
    reference: ReferenceResult | None
    load_average: float
    """Highest 1-minute load average seen around the serve run (other work on the machine)."""


def machine() -> dict[str, str]:
    """Describe the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "cpus": f"{usable} usable of {os.cpu_count()}",
        "cpu": cpu,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rank_bm25": _version("rank-bm25"),
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def format_table(results: Sequence[SizeResult]) -> str:
    """Render the results as two Markdown tables: the index, then rank_bm25 beside it."""
    lines = [
        "| passages | tokens | terms | postings | build | on disk | load | p50 | p95 | p99 "
        "| build peak RSS | serve peak RSS | top 10 = exhaustive | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, s = r.build, r.serve
        lines.append(
            f"| {r.passages:,} | {b.tokens:,} | {b.terms:,} | {b.postings:,} | {b.build_s:.1f} s "
            f"| {_mb(b.disk_bytes)} | {s.load_ms:.0f} ms | {_ms(s.p50_ms)} ms "
            f"| {_ms(s.p95_ms)} ms | {_ms(s.p99_ms)} ms "
            f"| {_mb(b.peak_rss_bytes)} | {_mb(s.peak_rss_bytes)} "
            f"| {s.exhaustive_equal}/{s.exhaustive_queries} | {r.load_average:.1f} |"
        )
    lines += [
        "",
        "| passages | compared queries | rank_bm25 init | get_scores p50 | p95 "
        "| index p50 (same queries) | speed-up (p50) | top 10 equal (1e-9) | identical ids "
        "| max abs diff | rank_bm25 process peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ref = r.reference
        if ref is None:
            lines.append(
                f"| {r.passages:,} | skipped: rank_bm25 is too slow and memory-hungry here "
                "| - | - | - | - | - | - | - | - | - |"
            )
            continue
        lines.append(
            f"| {r.passages:,} | {ref.queries} | {ref.init_s:.1f} s | {_ms(ref.p50_ms)} ms "
            f"| {_ms(ref.p95_ms)} ms | {_ms(ref.index_p50_ms)} ms | {ref.speedup_p50:,.0f}x "
            f"| {ref.equal_queries}/{ref.queries} | {ref.identical_ids_queries}/{ref.queries} "
            f"| {ref.max_abs_diff:.1e} | {_mb(ref.peak_rss_bytes)} |"
        )
    return "\n".join(lines)


def target_lines(results: Sequence[SizeResult]) -> list[str]:
    """Check the issue's targets (2-core machine) against the sizes that were measured."""
    lines = []
    for r in results:
        b, s, ref = r.build, r.serve, r.reference
        checks: list[tuple[str, bool, str]] = []
        if r.passages == 100_000:
            checks.append(("100k: p50 <= 5 ms", s.p50_ms <= 5, f"{s.p50_ms:.2f} ms"))
            speedup = ref.speedup_p50 if ref else 0.0
            checks.append(
                ("100k: >= 20x faster than get_scores", speedup >= 20, f"{speedup:,.0f}x")
            )
        if r.passages == 1_000_000:
            peak = max(b.peak_rss_bytes, s.peak_rss_bytes)
            checks += [
                ("1M: p95 <= 50 ms", s.p95_ms <= 50, f"{s.p95_ms:.1f} ms"),
                ("1M: build <= 3 min", b.build_s <= 180, f"{b.build_s:.0f} s"),
                ("1M: peak RSS <= 3 GB", peak <= 3e9, f"{peak / 1e9:.2f} GB"),
            ]
        lines += [
            f"- {label}: {'met' if met else 'MISSED'} ({value})" for label, met, value in checks
        ]
    return lines
