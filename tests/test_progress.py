"""Progress bars: drawn on a terminal's stderr, never in CI, pipes, JSON or stdout.

The end-to-end tests run ``python -m bot index`` with stderr on a real pseudo-terminal
(``os.openpty``) and on a pipe; the others call the commands in-process with stderr replaced
by a stream that says it is a terminal.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.progress import SILENT, Progress, watched
from tests.knowledge.importers.conftest import build_pdf

REPO = Path(__file__).resolve().parent.parent
INDEX_STEPS = ("files checked", "index brought up to date", "glossary tables prepared")


class Terminal(io.StringIO):
    """A text stream that claims to be a terminal."""

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return True


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Replace stderr by a terminal, outside CI, for the rest of the test.

    Called in the test body: pytest's output capture sets ``sys.stderr`` again when the test
    itself starts, which would undo a fixture's replacement.
    """
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    return stream


# Deciding whether anyone watches -----------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, True),
        ({"CI": "true"}, False),
        ({"CI": "1"}, False),
        ({"CI": "woodpecker"}, False),
        ({"CI": "false"}, True),
        ({"CI": "0"}, True),
        ({"CI": ""}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm-256color"}, True),
    ],
)
def test_a_terminal_is_watched_outside_ci(environ: dict[str, str], expected: bool) -> None:
    assert watched(Terminal(), environ) is expected


def test_pipes_files_and_closed_streams_are_not_watched() -> None:
    closed = Terminal()
    closed.close()
    assert watched(io.StringIO(), {}) is False
    assert watched(closed, {}) is False


def test_json_output_is_never_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    on_terminal(monkeypatch)
    assert Progress.on_stderr().active is True
    assert Progress.on_stderr(json=True).active is False
    assert Progress.on_stderr(environ={"CI": "true"}).active is False


# Drawing ---------------------------------------------------------------------------------------


def test_a_tracked_loop_yields_its_items_and_draws_a_bar_that_is_cleared() -> None:
    stream = Terminal()

    items = list(Progress(stream).track(["a", "b", "c"], "files read", unit="file"))

    drawn = stream.getvalue()
    assert items == ["a", "b", "c"]
    assert "files read:   0%" in drawn
    assert "0/3" in drawn
    assert drawn.endswith("\r")  # cleared: the line is blank again
    assert drawn.rstrip("\r").split("\r")[-1].strip() == ""


def test_a_generator_gets_its_total_and_each_item_its_name() -> None:
    stream = Terminal()

    found = list(
        Progress(stream).track(
            (n * n for n in range(4)), "bench", total=4, describe=lambda n: f"run {n}"
        )
    )

    assert found == [0, 1, 4, 9]
    assert "bench: run 9" in stream.getvalue()
    assert "/4" in stream.getvalue()


def test_a_step_shows_its_label_and_lets_errors_through() -> None:
    stream = Terminal()
    with Progress(stream).step("index written"):
        pass
    assert "index written …" in stream.getvalue()
    with pytest.raises(OSError, match="disk full"), Progress(stream).step("index written"):
        raise OSError("disk full")


def test_silent_progress_passes_items_through_and_draws_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = on_terminal(monkeypatch)
    items = object(), object()

    assert tuple(SILENT.track(items, "files read")) == items
    with SILENT.step("index written"):
        pass

    assert terminal.getvalue() == ""


# The commands, in-process ------------------------------------------------------------------


def run(*args: str, knowledge: Path, data: Path) -> int:
    return main(["--knowledge", str(knowledge), "--data", str(data), *args])


def test_index_draws_every_step_on_a_terminal_and_keeps_stdout_clean(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fixture_knowledge: Path,
    tmp_path,
) -> None:
    terminal = on_terminal(monkeypatch)
    assert run("index", knowledge=fixture_knowledge, data=tmp_path) == 0

    drawn = terminal.getvalue()
    for step in INDEX_STEPS:
        assert f"{step}:" in drawn or f"{step} …" in drawn, step
    out = capsys.readouterr().out
    assert "\r" not in out
    assert out.startswith("documents:  3\n")


def test_import_of_a_pdf_counts_its_pages(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    knowledge_copy: Path,
    tmp_path,
) -> None:
    terminal = on_terminal(monkeypatch)
    topics = ("äldreomsorg", "fritid", "kultur", "idrott", "skola", "boende")
    pages = [
        [
            f"# Samverkan om {topic}",
            [
                f"Kommunen och föreningarna samverkar om {topic}",
                f"och följer upp arbetet tillsammans varje {season}.",
            ],
        ]
        for topic in topics
        for season in ("vår", "höst")
    ]
    source = tmp_path / "rapport.pdf"
    source.write_bytes(build_pdf(pages, info={"Title": "Samverkan i tolv delar"}))

    code = run("import", str(source), "--id", "tolv", knowledge=knowledge_copy, data=tmp_path)

    assert code == 0
    assert "pages read:   0%" in terminal.getvalue()
    assert "/12 " in terminal.getvalue()
    assert "\r" not in capsys.readouterr().out


@pytest.fixture
def eval_set(tmp_path: Path) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(
        "questions:\n"
        '  - q: "Vad är IOP?"\n'
        "    lang: sv\n"
        "    gold:\n"
        "      - doc: iop-guide\n"
        '  - q: "Vad kostar en biljett till månen?"\n'
        "    lang: sv\n"
        "    abstain: true\n",
        encoding="utf-8",
    )
    return path


def test_eval_counts_questions_per_set_and_prints_lines_unmixed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fixture_knowledge: Path,
    eval_set: Path,
    tmp_path,
) -> None:
    terminal = on_terminal(monkeypatch)
    assert run("eval", str(eval_set), knowledge=fixture_knowledge, data=tmp_path) == 0

    assert "set.yaml:   0%" in terminal.getvalue()
    assert "0/2" in terminal.getvalue()
    assert "glossary sweep:" in terminal.getvalue()
    out = capsys.readouterr().out
    assert "\r" not in out
    assert "set.yaml" in out


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [False, True])
def test_bench_draws_its_runs_but_not_beside_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    terminal = on_terminal(monkeypatch)
    code = main(["bench", "--sizes", "200", "--queries", "3", *(["--json"] if as_json else [])])

    out = capsys.readouterr().out
    assert code == 0
    if as_json:
        assert terminal.getvalue() == ""
        assert json.loads(out)["all_equal"] is True
    else:
        assert "bench: 200 passages, build" in terminal.getvalue()
        assert "bench: 200 passages, reference" in terminal.getvalue()
        assert "... 200 passages" not in terminal.getvalue()
        assert out.startswith("- date: ")


def test_bench_without_a_terminal_keeps_its_one_line_per_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.bench import run as bench

    monkeypatch.setattr(bench, "_run_worker", fake_worker)
    assert bench.run_bench([100, 200], 3, json_out=False, progress=SILENT) == 0

    assert capsys.readouterr().err == "... 100 passages\n... 200 passages\n"


def fake_worker(phase: str, n_passages: int, *_: object) -> dict[str, object]:
    """What a worker reports, without starting one (the table is not under test here)."""
    from dataclasses import fields

    from bot.bench.report import BuildResult, ReferenceResult, ServeResult

    kind = {"build": BuildResult, "serve": ServeResult, "reference": ReferenceResult}[phase]
    values: dict[str, object] = {}
    for field in fields(kind):
        values[field.name] = 0.0 if field.type in ("float", float) else 0
    if phase == "serve":
        values["exhaustive_equal"] = values["exhaustive_queries"] = 3
    if phase == "reference":
        values["equal_queries"] = values["queries"] = 3
    return values


# The real thing: a pseudo-terminal and a pipe ------------------------------------------------


def index_with_stderr_on(tty: bool, tmp_path: Path, **environ: str) -> tuple[str, str]:
    """Run ``python -m bot index``; return (stdout, stderr) with stderr on a pty or a pipe."""
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "TERM")}
    env.update(environ)
    knowledge = REPO / "tests" / "data" / "knowledge"
    command = [sys.executable, "-m", "bot", "--knowledge", str(knowledge)]
    command += ["--data", str(tmp_path / "data"), "index"]
    if not tty:
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout, done.stderr
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=slave
    ) as process:
        os.close(slave)
        drawn = b"".join(_read_all(master))
        out = process.stdout.read() if process.stdout else b""
        assert process.wait(timeout=120) == 0
    os.close(master)
    return out.decode(), drawn.decode()


def _read_all(master: int) -> Iterator[bytes]:
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            return
        if not chunk:
            return
        yield chunk


@pytest.mark.slow
def test_progress_appears_on_a_real_terminal(tmp_path: Path) -> None:
    out, drawn = index_with_stderr_on(True, tmp_path)

    for step in INDEX_STEPS:
        assert step in drawn, step
    assert "%|" in drawn
    assert out.startswith("documents:  3\n")
    assert "\r" not in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tty", "environ"),
    [(False, {}), (True, {"CI": "true"}), (True, {"TERM": "dumb"})],
    ids=["pipe", "ci", "dumb-terminal"],
)
def test_progress_stays_out_of_pipes_and_ci_logs(
    tmp_path: Path, tty: bool, environ: dict[str, str]
) -> None:
    out, drawn = index_with_stderr_on(tty, tmp_path, **environ)

    assert drawn == ""
    assert out.startswith("documents:  3\n")
