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
