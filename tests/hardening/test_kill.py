"""kill -9 during a burst loses no question: the restart answers what the killed process had.

Three runs with fixed seeds (kill points early, middle and late in the burst); the longer
measurement is ``scripts/kill_test.py``. The figures go to the hardening summary.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.hardening.helpers import Ledger
from tests.hardening.killing import kill_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_kill_9_during_a_burst_loses_no_question(tmp_path: Path, ledger: Ledger, seed: int):
    run = await kill_run(tmp_path, random.Random(seed), burst=30)
    ledger.kill(run.questions, run.lost, run.duplicated)
    assert run.lost == 0, run.first_log[-2000:] + run.second_log[-3000:]
    assert "Traceback" not in run.second_log, run.second_log[-3000:]
