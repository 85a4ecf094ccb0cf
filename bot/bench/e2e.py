"""The end-to-end benchmark: a synthetic knowledge folder through the commands a user runs.

Usage::

    python -m bot bench --e2e [--sizes 10000,100000,1000000] [--questions 1000] [--json]

For every size it writes a synthetic folder (:mod:`bot.bench.synthetic`) and times, each in a
fresh process of the real command line:

1. ``python -m bot index`` from an empty cache (wall time and peak RSS);
2. ``python -m bot index`` again after one paragraph of one file was rewritten;
3. a cold ``python -m bot ask`` (median of a few runs, with peak RSS);
4. one process that opens the service and answers ``--questions`` questions in a row:
   warm ``ask`` p50/p95 and the process's RSS after the last one (the bot's serving RSS).

Python's bytecode cache is kept in a temporary directory, as an installed bot has it; the
first ``ask`` after ``index`` is a warm-up and not counted. This is a script, not a test:
at a million passages it takes tens of minutes and a few GB of memory and disk.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from bot.bench.report import machine
from bot.bench.synthetic import Generator, edit_one_file, write_folder

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_QUESTIONS = 1_000
COLD_RUNS = 5
QUESTION = "Hur startar vi ett IOP med kommunen?"
EDITED_FILE = 0.5
"""Which file is edited, as a share of the way through the folder."""


@dataclass(frozen=True)
class Run:
    """One command in a fresh process."""

    wall_s: float
    peak_rss_bytes: int
    output: str


@dataclass(frozen=True)
class ServeRun:
    """The warm questions in one process."""

    questions: int
    answered: int
    open_s: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    rss_bytes: int
    peak_rss_bytes: int


@dataclass(frozen=True)
class E2EResult:
    """Everything measured at one size."""

    passages: int
    files: int
    words: int
    generate_s: float
    index: Run
    disk_bytes: int
    incremental: Run
    cold_ask_s: list[float]
    cold_ask_rss_bytes: int
    serve: ServeRun
    load_average: float


def _environment(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


# Runs a module as ``python -m`` does and writes the process's peak RSS (VmHWM) at exit. The
# rusage of a child is no use here: Linux carries a forking parent's peak RSS over into it.
_WRAPPER = """
import atexit, runpy, sys
def report(path=sys.argv[1]):
    with open('/proc/self/status') as status, open(path, 'w') as out:
        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM')))
atexit.register(report)
sys.argv = sys.argv[2:]
runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)
"""


def _run(module: Sequence[str], env: dict[str, str]) -> Run:
    """Run ``python -m <module> <args>``, returning its wall time, peak RSS and output."""
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        command = [sys.executable, "-c", _WRAPPER, str(rss_file), *module]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(module)} failed ({done.returncode}):\n{done.stderr}")
        try:
            rss = int(rss_file.read_text()) * 1024
        except (OSError, ValueError):
            rss = 0  # no /proc (not Linux)
    return Run(wall, rss, done.stdout)


def _bot(knowledge: Path, data: Path, *args: str) -> list[str]:
    return ["bot", "--knowledge", str(knowledge), "--data", str(data), *args]


def _disk(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def measure(
    passages: int,
    root: Path,
    questions: int,
    cold_runs: int = COLD_RUNS,
    env_dir: Path | None = None,
) -> E2EResult:
    """Generate a folder of ``passages`` passages under ``root`` and time the commands.

    Args:
        passages: Size of the synthetic knowledge folder.
        root: Working directory (the folder, the data directory).
        questions: Warm questions asked in one process.
        cold_runs: Cold ``ask`` runs (the median is reported).
        env_dir: Where Python's bytecode cache goes (default: under ``root``).

    Returns:
        The measurements.
    """
    env = _environment(env_dir or root / "pycache")
    knowledge, data = root / f"knowledge-{passages}", root / f"data-{passages}"
    start = time.perf_counter()
    generator = Generator()
    folder = write_folder(knowledge, passages, generator)
    generate_s = time.perf_counter() - start
    if data.exists():
        import shutil

        shutil.rmtree(data)
    load = _load_average()
    index = _run(_bot(knowledge, data, "index"), env)
    disk = _disk(data / "index")
    _run(_bot(knowledge, data, "ask", QUESTION), env)  # warm-up: bytecode, page cache
    cold = [_run(_bot(knowledge, data, "ask", QUESTION), env) for _ in range(cold_runs)]
    edit_one_file(knowledge, int(folder.files * EDITED_FILE), generator)
    incremental = _run(_bot(knowledge, data, "index"), env)
    worker = [
        "bot.bench.e2e",
        "--serve-worker",
        str(knowledge),
        str(data / "index"),
        str(questions),
    ]
    asked = root / f"questions-{passages}.json"
    asked.write_text(json.dumps(questions_for(questions, generator)), encoding="utf-8")
    worker[-1] = str(asked)
    served = _run(worker, env)
    serve = ServeRun(**json.loads(served.output.strip().splitlines()[-1]))
    load = max(load, _load_average())
    return E2EResult(
        passages=passages,
        files=folder.files,
        words=folder.words,
        generate_s=generate_s,
        index=index,
        disk_bytes=disk,
        incremental=incremental,
        cold_ask_s=[run.wall_s for run in cold],
        cold_ask_rss_bytes=max(run.peak_rss_bytes for run in cold),
        serve=serve,
        load_average=load,
    )


def questions_for(count: int, generator: Generator) -> list[str]:
    """Return ``count`` questions: the evaluation questions and generated topic questions."""
    import yaml

    real: list[str] = []
    eval_dir = Path(__file__).resolve().parents[2] / "eval"
    for path in sorted(eval_dir.glob("**/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = data.get("questions", []) if isinstance(data, dict) else data
        real.extend(str(item["q"]) for item in items if isinstance(item, dict) and "q" in item)
    result = []
    for number in range(count):
        if real and number % 3 == 0:
            result.append(real[(number // 3) % len(real)])
        else:
            result.append(generator.question(number))
    return result


def serve_worker(knowledge: Path, cache: Path, questions: Path) -> ServeRun:
    """Open the service as the bot does and answer the questions of a JSON file in a row."""
    from bot.service import QAService

    asked = json.loads(questions.read_text(encoding="utf-8"))
    start = time.perf_counter()
    service = QAService.open(knowledge, cache)
    open_s = time.perf_counter() - start
    samples = []
    answered = 0
    for question in asked:
        begin = time.perf_counter_ns()
        answer = service.ask(question)
        samples.append((time.perf_counter_ns() - begin) / 1e6)
        answered += answer.answered
    status = _status()
    ordered = sorted(samples)
    return ServeRun(
        questions=len(asked),
        answered=answered,
        open_s=open_s,
        p50_ms=statistics.median(ordered),
        p95_ms=ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        max_ms=ordered[-1],
        rss_bytes=status.get("VmRSS", 0),
        peak_rss_bytes=status.get("VmHWM", 0),
    )


def _status() -> dict[str, int]:
    """Return this process's memory figures from /proc (bytes; empty where unsupported)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            found[name] = int(value.split()[0]) * 1024
    return found


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def format_table(results: Sequence[E2EResult]) -> str:
    """Return the Markdown table of the measurements."""
    header = (
        "| passages | files | `index` | peak RSS | on disk | incremental `index` | "
        "cold `ask` (median) | cold `ask` RSS | warm `ask` p50 | p95 | serving RSS "
        "after {q} q | load avg |"
    )
    lines = [
        header.format(q=f"{results[0].serve.questions:,}" if results else "n"),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.passages:,} | {r.files:,} | {r.index.wall_s:.1f} s | "
            f"{_mb(r.index.peak_rss_bytes)} | {_mb(r.disk_bytes)} | "
            f"{r.incremental.wall_s:.2f} s | {statistics.median(r.cold_ask_s):.2f} s | "
            f"{_mb(r.cold_ask_rss_bytes)} | {r.serve.p50_ms:.1f} ms | {r.serve.p95_ms:.1f} ms | "
            f"{_mb(r.serve.rss_bytes)} | {r.load_average:.1f} |"
        )
    return "\n".join(lines)


def run_e2e(
    sizes: Sequence[int],
    questions: int,
    json_out: bool,
    out: TextIO | None = None,
    *,
    keep: Path | None = None,
    cold_runs: int = COLD_RUNS,
) -> list[E2EResult]:
    """Run the benchmark at every size and print a table (or JSON) to ``out`` (stdout)."""
    out = out or sys.stdout
    results = []
    with tempfile.TemporaryDirectory(prefix="bot-e2e-") as tmp:
        root = keep if keep is not None else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for passages in sizes:
            if not json_out:
                print(f"... {passages:,} passages", file=sys.stderr, flush=True)
            results.append(measure(passages, root, questions, cold_runs, Path(tmp) / "pycache"))
    if json_out:
        payload = {"machine": machine(), "results": [asdict(r) for r in results]}
        print(json.dumps(payload, indent=2), file=out)
    else:
        for key, value in machine().items():
            print(f"- {key}: {value}", file=out)
        print(file=out)
        print(format_table(results), file=out)
        for r in results:
            print(
                f"\n{r.passages:,} passages: {r.words:,} words in {r.files:,} files "
                f"(generated in {r.generate_s:.0f} s); incremental peak RSS "
                f"{_mb(r.incremental.peak_rss_bytes)}; cold asks "
                f"{', '.join(f'{s:.2f}' for s in r.cold_ask_s)} s; service opened in "
                f"{r.serve.open_s:.2f} s; {r.serve.answered} of {r.serve.questions} answered, "
                f"slowest {r.serve.max_ms:.0f} ms; serving peak RSS "
                f"{_mb(r.serve.peak_rss_bytes)}",
                file=out,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the serve worker (``--serve-worker KNOWLEDGE CACHE QUESTIONS_JSON``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4 or args[0] != "--serve-worker":
        print("usage: python -m bot bench --e2e [--sizes ...]", file=sys.stderr)
        return 2
    result = serve_worker(Path(args[1]), Path(args[2]), Path(args[3]))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
