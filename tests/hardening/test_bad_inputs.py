"""The bad-input catalogue on every surface: a clean reply or one clear error, no traceback.

Surfaces: ``python -m bot ask`` (in process through ``bot.cli.main``, and a few as a real
subprocess), the Telegram handlers (private chat, group ``/ask``, inline mode) over the
in-process fake, ``python -m bot check`` / ``ask`` / ``index`` on broken knowledge folders,
and Telegram ``/reload`` on the same folders.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.telegram.app import App
from tests.fakebotapi import FakeBotApi, check_telegram_html, visible_length
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.hardening.catalogue import (
    EMPTY_AFTER_CLEANING,
    ISSUE_12,
    QUESTIONS,
    KnowledgeCase,
    build_knowledge,
    docx_bomb,
    knowledge_cases,
    question_cases,
)
from tests.hardening.helpers import ADMIN, Ledger, MakeApp, feed, replies
from tests.telegram.helpers import RESERVED_QUESTION, state_of

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "data" / "knowledge"
PROBLEM_LINE = re.compile(r"^.+:\d+: \S.*$")
APOLOGIES = ("Förlåt, något gick fel", "Undskyld, noget gik galt", "Sorry, something went wrong")

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder (index cache) for all in-process CLI runs of this module."""
    return tmp_path_factory.mktemp("cli-data")


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cli_data: Path,
) -> Cli:
    """Run ``python -m bot`` in process; return exit code, stdout and stderr."""
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "no-bot.yaml"))
    for variable in ("KNOWLEDGE_DIR", "BOT_DATA_DIR", "TELEGRAM_BOT_TOKEN", "LOG_LEVEL"):
        monkeypatch.delenv(variable, raising=False)

    def run(*args: str, knowledge: Path = FIXTURE, data: Path = cli_data) -> tuple[int, str, str]:
        code = main(["--knowledge", str(knowledge), "--data", str(data), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return run


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# --------------------------------------------------------------------------- questions: CLI


JSON_CASES = (
    "empty",
    "nul-inside",
    "control-chars",
    "rtl-override",
    "zero-width-only",
    "lone-surrogate",
    "emoji-only",
    "html-injection",
    "markdown-injection",
    "sql-drop",
    "format-strings",
    "100k-words",
)
"""Questions also tried with ``--json`` (which prints the question back)."""


def cli_cases() -> list[object]:
    cases = [pytest.param(name, text, "text", id=name) for name, text in QUESTIONS.items()]
    cases += [
        pytest.param(name, QUESTIONS[name], "json", id=f"{name}-json") for name in JSON_CASES
    ]
    return cases


@pytest.mark.parametrize(("name", "question", "output"), cli_cases())
def test_cli_ask_answers_or_exits_2_with_one_clear_line(
    cli: Cli, ledger: Ledger, name: str, question: str, output: str
):
    flags = ["--json"] if output == "json" else []
    code, out, err = cli("ask", *flags, question)
    if name in EMPTY_AFTER_CLEANING:
        assert code == 2
        (line,) = error_lines(err)
        assert line.startswith("error: the question is empty")
        assert out == ""
    else:
        assert code == 0, err
        assert error_lines(err) == []
        assert out.strip()
        if output == "json":
            answer = json.loads(out)
            assert answer["language"] in ("sv", "da", "en")
            assert isinstance(answer["answered"], bool)
    ledger.bad_input("cli ask", name)


SUBPROCESS_CASES = {
    "invalid-utf8-argv": b"Vad \xc3 \xff\xfe IOP?",
    "100k-words": QUESTIONS["100k-words"].encode(),
    "zero-width-only": QUESTIONS["zero-width-only"].encode(),
}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(BOT_CONFIG=str(tmp_path / "no-bot.yaml"), PYTHONIOENCODING="utf-8")
    return env


def _base(tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "--knowledge", str(FIXTURE), "--data", str(tmp_path)]


@pytest.mark.e2e
def test_real_cli_process_survives_hostile_arguments(tmp_path: Path, ledger: Ledger):
    base = _base(tmp_path)
    # The index is built once, then the processes run side by side.
    subprocess.run([*base, "index"], cwd=REPO, env=_env(tmp_path), capture_output=True, check=True)
    processes = {
        name: subprocess.Popen(
            [*[os.fsencode(part) for part in base], b"ask", argument],
            cwd=REPO,
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, argument in SUBPROCESS_CASES.items()
    }
    for name, process in processes.items():
        out, err = process.communicate(timeout=60)
        text = (out + err).decode("utf-8", "replace")
        assert b"Traceback" not in out + err, text
        if name == "zero-width-only":
            assert process.returncode == 2, text
            assert len(err.decode().splitlines()) == 1
        else:
            assert process.returncode == 0, text
            assert err == b"", text
            assert out.strip()
        ledger.bad_input("cli process", name)


@pytest.mark.e2e
def test_real_cli_process_exits_quietly_when_stdout_is_closed(tmp_path: Path):
    read, write = os.pipe()
    os.close(read)  # like `| head -1` that has already exited
    process = subprocess.run(
        [*_base(tmp_path), "ask", "--json", "Vad är ett IOP?"],
        cwd=REPO,
        env=_env(tmp_path),
        stdout=write,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    os.close(write)
    assert b"Traceback" not in process.stderr
    assert b"Exception ignored" not in process.stderr
    assert process.returncode in (0, 1, 2)


# --------------------------------------------------------------------------- questions: Telegram


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def assert_clean_replies(fake: FakeBotApi, chat_id: int) -> None:
    messages = replies(fake, chat_id)
    assert messages, "no reply"
    for message in messages:
        assert not message.visible_text.startswith(APOLOGIES), message.visible_text


@pytest.mark.parametrize(("name", "question"), question_cases())
async def test_telegram_replies_cleanly_in_private_groups_and_inline_mode(
    fake: FakeBotApi,
    make_app: MakeApp,
    caplog: pytest.LogCaptureFixture,
    ledger: Ledger,
    name: str,
    question: str,
):
    app = await make_app()
    # Telegram never delivers an empty or blank message; a blank /ask is possible.
    if question.strip():
        await feed(app, fake.user_says(question, user_id=1001))
        assert_clean_replies(fake, 1001)
    # Group answers quote the question (reply_to_message); Telegram's UTF-8 JSON can carry no
    # lone surrogate, and the fake, like Telegram, could not send one back.
    if name != "lone-surrogate":
        await feed(app, fake.user_says(f"/ask {question}", user_id=1002, chat_type="group"))
        assert_clean_replies(fake, DEFAULT_GROUP_ID)
    if name in EMPTY_AFTER_CLEANING:
        assert "/ask" in replies(fake, DEFAULT_GROUP_ID)[0].visible_text
    inline = fake.inline_query(question, user_id=1003)
    await feed(app, inline)
    for result in fake.inline_answers[inline["inline_query"]["id"]]:
        content = result["input_message_content"]["message_text"]
        assert check_telegram_html(content) is None, content
        assert 0 < visible_length(content) <= 4096
    assert fake.unanswered_callbacks() == []
    no_errors_logged(caplog)
    ledger.bad_input("telegram", name)


async def test_telegram_edits_into_hostile_text_are_answered_cleanly(
    fake: FakeBotApi, make_app: MakeApp, caplog: pytest.LogCaptureFixture, ledger: Ledger
):
    app = await make_app()
    first = fake.user_says(RESERVED_QUESTION)
    await feed(app, first)
    message_id = first["message"]["message_id"]
    for name in ("html-injection", "rtl-override", "100k-emoji", "zalgo", "sql-union"):
        await feed(app, fake.user_edits(message_id, QUESTIONS[name]))
        ledger.bad_input("telegram edit", name)
    # Each edit edits the one answer in place (an unchanged answer is left as it is).
    assert len(replies(fake, 1001)) == 1
    assert len(fake.calls_to("editMessageText")) == 5
    assert_clean_replies(fake, 1001)
    no_errors_logged(caplog)


# --------------------------------------------------------------------------- knowledge files


def _folder(case: KnowledgeCase, tmp_path: Path, source: Path = FIXTURE) -> Path:
    return build_knowledge(case, source, tmp_path / "knowledge")


def _shown(text: str, folder: Path) -> str:
    return text.replace(f"{folder}{os.sep}", "")


def _crash(case: KnowledgeCase, request: pytest.FixtureRequest, surface: str) -> None:
    if case.crashes_core:
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                raises=ValueError,
                reason="bot/knowledge/load.py: a YAML scalar that PyYAML cannot convert "
                "(impossible date or time, an integer over 4300 digits) raises ValueError "
                f"instead of a file:line problem, so {surface} ends in a traceback",
            )
        )


@pytest.mark.parametrize(("name", "case"), knowledge_cases())
def test_check_reports_each_problem_as_file_line_and_exits_1(
    cli: Cli,
    tmp_path: Path,
    ledger: Ledger,
    name: str,
    case: KnowledgeCase,
    request: pytest.FixtureRequest,
):
    _crash(case, request, "python -m bot check")
    folder = _folder(case, tmp_path)
    code, out, err = cli("check", knowledge=folder)
    assert code == 1
    lines = out.splitlines()
    assert lines
    assert all(PROBLEM_LINE.match(line) for line in lines), out
    (shown,) = [_shown(line, folder) for line in lines if case.problem in _shown(line, folder)]
    (summary,) = error_lines(err)
    assert summary.startswith("problems found: ")
    ledger.bad_input("knowledge check", name)
    if name in ISSUE_12:
        served = summary.split(": ", 1)[1].split(",")[0]
        ledger.bad_file(name, f"check: {shown}; still served: {served}")


def split_cases() -> tuple[dict[str, KnowledgeCase], list[object]]:
    """Split the knowledge cases: one folder holding every broken file, and the rest.

    The rest are the whole-folder cases, the cases that crash the core, and data-file cases
    whose file another case already broke.
    """
    combined: dict[str, KnowledgeCase] = {}
    separate: list[object] = []
    taken: set[str] = set()
    for param in knowledge_cases():
        name, case = param.values  # type: ignore[attr-defined]
        if case.whole_folder or case.crashes_core or set(case.files) & taken:
            separate.append(param)
            continue
        combined[name] = case
        taken |= set(case.files)
    return combined, separate


COMBINED, SEPARATE = split_cases()


@pytest.mark.parametrize("command", ["ask", "index"])
def test_other_commands_skip_every_broken_file_with_one_warning_each(
    cli: Cli, tmp_path: Path, ledger: Ledger, command: str
):
    folder = tmp_path / "knowledge"
    build_knowledge(KnowledgeCase(), FIXTURE, folder)
    for case in COMBINED.values():
        build_knowledge(case, FIXTURE, folder, exist_ok=True)
    args = ["ask", "Vad är ett IOP?"] if command == "ask" else ["index"]
    code, out, err = cli(*args, knowledge=folder, data=tmp_path / "data")
    assert code == 0
    assert out.strip()
    lines = error_lines(err)
    assert all(line.startswith("warning: skipped ") for line in lines), err
    assert len(lines) == len(COMBINED)
    for name, case in COMBINED.items():
        (file_name,) = case.files
        shown = os.fsencode(file_name).decode("utf-8", "backslashreplace")
        (line,) = [line for line in lines if f"{os.sep}{shown}:" in line]
        assert PROBLEM_LINE.match(line.removeprefix("warning: skipped ")), (name, line)
        ledger.bad_input(f"knowledge {command}", name)


@pytest.mark.parametrize(("name", "case"), SEPARATE)
def test_other_commands_skip_a_broken_file_or_refuse_an_unusable_folder(
    cli: Cli,
    tmp_path: Path,
    ledger: Ledger,
    name: str,
    case: KnowledgeCase,
    request: pytest.FixtureRequest,
):
    _crash(case, request, "python -m bot ask")
    folder = _folder(case, tmp_path)
    code, out, err = cli("ask", "Vad är ett IOP?", knowledge=folder, data=tmp_path / "data")
    (line,) = error_lines(err)
    if case.whole_folder:
        assert code == 1
        assert line.startswith("error: no usable knowledge: ")
        assert case.problem in line
        assert out == ""
    else:
        assert code == 0
        assert line.startswith("warning: skipped ")
        assert case.problem in _shown(line, folder)
        assert out.strip()
    ledger.bad_input("knowledge ask", name)


def test_index_of_an_empty_folder_exits_1_with_one_line(cli: Cli, tmp_path: Path):
    folder = _folder(KnowledgeCase(remove_documents=True), tmp_path)
    code, _, err = cli("index", knowledge=folder, data=tmp_path / "data")
    assert code == 1
    assert len(error_lines(err)) == 1


@pytest.mark.parametrize(("name", "case"), knowledge_cases())
async def test_reload_refuses_broken_knowledge_and_keeps_serving(
    fake: FakeBotApi,
    make_app: MakeApp,
    tmp_path: Path,
    ledger: Ledger,
    name: str,
    case: KnowledgeCase,
):
    from tests.telegram.helpers import KNOWLEDGE

    folder = _folder(case, tmp_path, KNOWLEDGE)
    app: App = await make_app(knowledge_dir=folder)
    old = state_of(app).service
    await feed(app, fake.user_says("/reload", user_id=ADMIN))
    assert state_of(app).service is old
    text = "\n".join(m.visible_text for m in replies(fake, ADMIN))
    assert text.startswith("Omladdningen avbröts:")
    if case.crashes_core:
        assert "ValueError: " in text
    else:
        assert case.problem in text
    await feed(app, fake.user_says(RESERVED_QUESTION))
    assert replies(fake, 1001)[0].visible_text.startswith("Ur källorna")
    ledger.bad_input("telegram reload", name)


def test_check_reports_duplicate_topic_ids(cli: Cli, tmp_path: Path):
    folder = _folder(KnowledgeCase(), tmp_path)
    topics = (folder / "topics.yaml").read_text(encoding="utf-8")
    (folder / "topics.yaml").write_text(topics + topics.split("topics:", 1)[1], encoding="utf-8")
    code, out, _ = cli("check", knowledge=folder)
    assert code == 1
    assert "duplicate" in out


def test_import_refuses_a_zip_bomb_and_an_overlong_id_with_one_line(
    cli: Cli, tmp_path: Path, ledger: Ledger
):
    folder = _folder(KnowledgeCase(), tmp_path)
    bomb = docx_bomb(tmp_path / "bomb.docx")
    code, out, err = cli("import", str(bomb), knowledge=folder)
    assert (code, out) == (1, "")
    (line,) = error_lines(err)
    assert line.startswith("error: bomb.docx: the DOCX unpacks to 220 MB, more than 200 MB")
    ledger.bad_file("docx-zip-bomb", f"import: {line}")

    text = tmp_path / "kort.txt"
    text.write_text("Kort\n\nEn text om samverkan.\n", encoding="utf-8")
    code, out, err = cli("import", str(text), "--id", "a" * 300, knowledge=folder)
    assert (code, out) == (1, "")
    (line,) = error_lines(err)
    assert line == "error: invalid id: 300 characters, at most 100 (it names the file)"
    ledger.bad_file("import-id-300-characters", f"import: {line}")
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        path.name for path in FIXTURE.iterdir()
    )
