"""Measure at-least-once answering: kill -9 the bot during bursts, restart, count.

Usage (from the repo root)::

    .venv/bin/python scripts/kill_test.py                 # 20 runs of 40 questions
    .venv/bin/python scripts/kill_test.py --runs 50 --burst 60 --seed 7

Each run (see ``tests/hardening/killing.py``) starts ``python -m bot run`` against the fake
Bot API over HTTP on 127.0.0.1, sends a burst of questions from distinct users, kills the
process with SIGKILL after a random number of answers, starts it again on the same data folder
and counts the users who never got an answer (lost) and those who got two (duplicated).
This is a measuring script, not a test: it prints one line per run and a total, and exits 1
if any question was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a plain script: make `bot` and `tests` importable

from tests.hardening.killing import kill_run  # noqa: E402


async def measure(runs: int, burst: int, seed: int, keep: Path | None = None) -> int:
    """Do ``runs`` kill -9 runs, print each and the total; 1 if a question was lost."""
    rng = random.Random(seed)
    lost = duplicated = questions = 0
    with tempfile.TemporaryDirectory(prefix="kill-test-") as folder:
        for number in range(1, runs + 1):
            run = await kill_run(Path(folder) / f"run-{number}", rng, burst=burst)
            lost += run.lost
            duplicated += run.duplicated
            questions += run.questions
            print(
                f"run {number:3d}: {run.answered_before_kill:3d} of {run.questions} answered "
                f"before kill -9; after restart lost {run.lost}, answered twice {run.duplicated}",
                flush=True,
            )
            if run.lost and keep:
                await asyncio.to_thread(_keep, keep, number, run.first_log, run.second_log)
    print(f"total: {runs} runs, {questions} questions, lost {lost}, answered twice {duplicated}")
    return 1 if lost else 0


def _keep(folder: Path, number: int, first: str, second: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"run-{number}-first.log").write_text(first)
    (folder / f"run-{number}-second.log").write_text(second)


def main() -> int:
    """Parse the options and measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="kill -9 runs (default: 20)")
    parser.add_argument("--burst", type=int, default=40, help="questions per run (default: 40)")
    parser.add_argument("--seed", type=int, default=12, help="random seed (default: 12)")
    parser.add_argument("--keep-logs", type=Path, help="folder for the bot's logs of lossy runs")
    args = parser.parse_args()
    # The fake server logs every request cut short by a kill; that is the point, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    return asyncio.run(measure(args.runs, args.burst, args.seed, args.keep_logs))


if __name__ == "__main__":
    sys.exit(main())
