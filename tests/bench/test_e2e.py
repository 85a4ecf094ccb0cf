"""The end-to-end benchmark runs the real commands at 10,000 passages (a smoke test).

It checks that every command completes and reports plausible figures; it asserts no timings.
"""

from __future__ import annotations

import json

import pytest

from bot.bench.run import main
from bot.bench.synthetic import PASSAGES_PER_FILE

pytestmark = pytest.mark.slow


def test_the_e2e_benchmark_times_the_commands_at_ten_thousand_passages(capsys, tmp_path):
    code = main(
        [
            "--e2e",
            "--sizes",
            "10000",
            "--questions",
            "60",
            "--cold-runs",
            "1",
            "--json",
            "--keep",
            str(tmp_path),
        ]
    )

    assert code == 0
    report = json.loads(capsys.readouterr().out)
    (result,) = report["results"]
    assert result["passages"] == 10_000
    assert result["files"] == 10_000 // PASSAGES_PER_FILE
    assert "passages:   10000" in result["index"]["output"]
    assert "(rebuilt)" in result["index"]["output"]
    assert "(updated)" in result["incremental"]["output"]
    assert result["disk_bytes"] > 10_000 * 100
    for run in (result["index"], result["incremental"]):
        assert run["wall_s"] > 0
        assert run["peak_rss_bytes"] > 10_000_000
    assert len(result["cold_ask_s"]) == 1
    assert result["cold_ask_rss_bytes"] > 10_000_000
    serve = result["serve"]
    assert serve["questions"] == 60
    assert 0 < serve["answered"] <= 60
    assert 0 < serve["p50_ms"] <= serve["p95_ms"] <= serve["max_ms"]
    assert serve["rss_bytes"] > 10_000_000
    assert report["machine"]["cpus"]
