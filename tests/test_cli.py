import json

import pytest

from bot.cli import build_parser, main


@pytest.fixture
def run(capsys, tmp_path, fixture_knowledge):
    def invoke(*args, knowledge=None):
        code = main(
            [
                "--knowledge",
                str(knowledge or fixture_knowledge),
                "--data",
                str(tmp_path / "data"),
                *args,
            ]
        )
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_ask_json_prints_exactly_one_object(run):
    code, out, _ = run("ask", "--json", "Vilka kriterier gäller för IOP?")
    data = json.loads(out)
    assert code == 0
    assert data["question"] == "Vilka kriterier gäller för IOP?"
    assert data["results"][0]["passage_id"] == "iop-guide#2"


def test_ask_exits_zero_when_not_answered(run):
    code, out, _ = run("ask", "--json", "Vad kostar en cykel?", knowledge=None)
    assert code == 0
    assert isinstance(json.loads(out)["answered"], bool)


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b"])
def test_ask_refuses_an_empty_question_with_one_line(run, question):
    code, out, err = run("ask", question)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_ask_prints_a_readable_cited_answer(run):
    code, out, _ = run("ask", "Vilka kriterier gäller för IOP?")
    assert code == 0
    # A guide is cited by the page that backs it (no sources.yaml here: the domain is the
    # title), with the guide as explainer and its review date.
    assert out.startswith("[1] example.org — https://example.org/source-a\n")
    assert (
        "förklarat av Testförlaget, granskad 2024-05 (guide: Idéburet offentligt partnerskap)"
        " · stycke iop-guide#2"
    ) in out


def test_check_passes_on_valid_knowledge(run):
    code, out, _ = run("check")
    assert code == 0
    assert out.startswith("ok: 3 documents")


def test_check_lists_every_problem_with_file_and_line(run, knowledge_copy):
    (knowledge_copy / "bad.md").write_text("---\nid: bad\ntitle: x\n---\n\n", encoding="utf-8")
    code, out, err = run("check", knowledge=knowledge_copy)
    lines = out.strip().splitlines()
    assert code == 1
    assert all(line.startswith(str(knowledge_copy / "bad.md") + ":") for line in lines)
    assert "missing field 'author'" in out
    assert "the document body is empty" in out
    assert "problems found" in err


def test_broken_document_gives_one_warning_and_the_answer_still_comes(run, knowledge_copy):
    (knowledge_copy / "bad.md").write_text("---\nid: bad\n---\n", encoding="utf-8")
    code, out, err = run("ask", "Vilka kriterier gäller för IOP?", knowledge=knowledge_copy)
    assert code == 0
    assert "[1]" in out
    assert [line for line in err.splitlines() if "bad.md" in line] == [err.strip().splitlines()[0]]
    assert len(err.strip().splitlines()) == 1


def test_index_reports_size_and_time(run):
    code, out, _ = run("index")
    fields = dict(line.split(":", 1) for line in out.strip().splitlines())
    assert code == 0
    assert fields["documents"].strip() == "3"
    assert int(fields["passages"]) >= 6
    assert fields["time"].strip().endswith("s")


def test_missing_knowledge_folder_is_a_clear_error(run, tmp_path):
    code, _, err = run("ask", "IOP", knowledge=tmp_path / "nope")
    assert code == 1
    assert err.startswith("error: no usable knowledge")


def test_chat_answers_and_pages_until_end_of_input(run, monkeypatch):
    lines = iter(["Vilka kriterier gäller för IOP?", "mer", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    code, out, _ = run("chat")
    assert code == 0
    assert "[1]" in out


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert [name for name in commands if f"python -m bot {name}" not in readme] == []


def test_answers_do_not_depend_on_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    question = (
        "Hur kan vi som idéburen organisation påverka kommunens upphandlingar av sociala tjänster?"
    )
    outputs = set()
    for seed in ("0", "9"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "BOT_DATA_DIR": str(tmp_path / seed)}
        run = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", question],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_import_writes_a_document_once_and_refuses_to_overwrite(run, knowledge_copy, tmp_path):
    source = tmp_path / "lokal-overenskommelse.txt"
    source.write_text(
        "Lokal överenskommelse Testby\n\nKommunen och föreningarna samverkar.\n", "utf-8"
    )
    code, out, _ = run("import", str(source), "--id", "testby-ok", knowledge=knowledge_copy)
    written = knowledge_copy / "testby-ok.md"
    assert code == 0
    assert f"wrote {written}" in out
    assert "Kommunen och föreningarna samverkar." in written.read_text(encoding="utf-8")
    before = written.read_bytes()
    code, _, err = run("import", str(source), "--id", "testby-ok", knowledge=knowledge_copy)
    assert code == 1
    assert "already exists" in err
    assert written.read_bytes() == before


@pytest.mark.parametrize("command", ["check", "index", "ask", "report"])
def test_knowledge_and_data_are_accepted_before_and_after_the_command(
    command, capsys, tmp_path, fixture_knowledge, monkeypatch
):
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "none.yaml"))
    for variable in ("KNOWLEDGE_DIR", "BOT_DATA_DIR"):
        monkeypatch.delenv(variable, raising=False)
    extra = ["Vad är IOP?"] if command == "ask" else []
    options = ["--knowledge", str(fixture_knowledge), "--data", str(tmp_path / "data")]
    outputs = []
    for argv in ([*options, command, *extra], [command, *extra, *options]):
        code = main(argv)
        out = capsys.readouterr().out
        # The second `index` finds the first one's index up to date: compare the rest.
        kept = [line for line in out.splitlines() if not line.startswith(("time:", "version:"))]
        outputs.append((code, kept))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 0


def test_an_option_after_the_command_wins_over_one_before(capsys, tmp_path, fixture_knowledge):
    code = main(
        ["--knowledge", str(tmp_path / "missing"), "check", "--knowledge", str(fixture_knowledge)]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_forget_without_a_log_fails_and_creates_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "none.yaml"))
    monkeypatch.delenv("BOT_HMAC_SECRET", raising=False)
    data = tmp_path / "wrong"
    assert main(["forget", "42", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: question log: {data}/questions.sqlite3: no question log here")
    assert not data.exists()


def test_forget_says_when_the_user_has_no_rows_and_needs_the_logs_secret(
    capsys, tmp_path, monkeypatch
):
    from bot.store import LOG_FILENAME, QuestionLog

    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "none.yaml"))
    data = tmp_path / "data"
    with QuestionLog.open(data / LOG_FILENAME, secret="deployment-secret") as log:
        log.record_question(
            user_id=42,
            chat_type="private",
            language="sv",
            question="Vad är IOP?",
            answered=True,
            results=[],
            index_version="x",
        )
    monkeypatch.delenv("BOT_HMAC_SECRET", raising=False)
    assert main(["forget", "42", "--data", str(data)]) == 1
    assert "no user-key secret" in capsys.readouterr().err
    assert not (data / "secret.key").exists()

    monkeypatch.setenv("BOT_HMAC_SECRET", "another-secret")
    assert main(["forget", "42", "--data", str(data)]) == 1
    assert "secret differs" in capsys.readouterr().err

    monkeypatch.setenv("BOT_HMAC_SECRET", "deployment-secret")
    assert main(["forget", "7", "--data", str(data)]) == 0
    assert capsys.readouterr().out == "no stored questions or votes for user 7; nothing deleted\n"
    assert main(["forget", "42", "--data", str(data)]) == 0
    assert capsys.readouterr().out == "deleted 1 rows for user 42\n"


def test_import_with_an_overlong_id_prints_one_error(run, knowledge_copy, tmp_path):
    source = tmp_path / "kort.txt"
    source.write_text("Kort\n\nEn text om samverkan.\n", "utf-8")
    code, _, err = run("import", str(source), "--id", "a" * 300, knowledge=knowledge_copy)
    assert code == 1
    assert err == "error: invalid id: 300 characters, at most 100 (it names the file)\n"


def test_the_data_folder_is_created_private(run, tmp_path):
    import stat

    code, _, _ = run("ask", "Vad är IOP?")
    assert code == 0
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_the_import_extra_names_lxml_html_clean():
    """pip 23 skips lxml's html_clean extra that trafilatura asks for; we name it ourselves."""
    import re
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    extra = re.search(r"^import = \[(.*?)^\]", pyproject.read_text(encoding="utf-8"), re.M | re.S)
    assert extra is not None
    assert re.search(r'^\s*"lxml_html_clean[>=]', extra[1], re.M)


@pytest.fixture
def seeded_data(tmp_path):
    """The data folder of the ``run`` fixture with thirty days of seeded questions."""
    from datetime import datetime, timezone

    from bot.store import LOG_FILENAME, QuestionLog
    from tests.store.seeded_log import seed

    log = QuestionLog.open(tmp_path / "data" / LOG_FILENAME, secret="")
    try:
        seed(log, datetime.now(timezone.utc))
    finally:
        log.close()
    return tmp_path / "data"


def test_report_draws_the_picture_beside_the_text(run, seeded_data, tmp_path):
    from tests.store.pictures import decoded_shape, png_size

    picture = tmp_path / "stats.png"
    code, out, err = run("report", "--lang", "en", "--png", str(picture))
    assert code == 0
    assert out.startswith("Samverkansboten – report")
    assert 'questions about "momsfritagelse"' in out
    assert err.strip() == f"picture: {picture}"
    assert png_size(picture.read_bytes()) == (1000, 750)
    assert decoded_shape(picture.read_bytes()) == (750, 1000, 4)
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


@pytest.mark.parametrize("target", ["no-such-folder/stats.png", "."])
def test_report_says_in_one_line_when_the_picture_cannot_be_written(
    run, seeded_data, tmp_path, target
):
    code, out, err = run("report", "--png", str(tmp_path / target))
    assert code == 1
    assert out.startswith("Samverkansboten – rapport")
    assert err.startswith(f"error: cannot write {tmp_path / target} (")
    assert len(err.strip().splitlines()) == 1


def test_report_refuses_an_empty_period(run):
    code, _, err = run("report", "--days", "0")
    assert code == 2
    assert err == "error: --days must be at least 1, got 0\n"
