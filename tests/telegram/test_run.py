"""Starting the bot: the token check, the base URL and keeping the token out of logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.config import Settings
from bot.telegram import run as telegram_run  # the module
from bot.telegram.app import api_base_url
from bot.telegram.run import hide_secret_in_logs, run

TOKEN = "123456:SECRET-token_x"


def test_missing_token_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]):
    assert run(Settings(telegram_token="  ")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "TELEGRAM_BOT_TOKEN" in err


def test_cli_run_without_token_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "missing.yaml"))
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://proxy/tg/{token}/", "http://proxy/tg/{token}"),
    ],
)
def test_base_url_is_normalised_for_ptb(given: str, expected: str):
    assert api_base_url(given) == expected


@pytest.fixture
def restore_record_factory() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    telegram_run._installed_secrets.clear()


def test_token_is_hidden_in_messages_arguments_and_tracebacks(
    restore_record_factory: None, caplog: pytest.LogCaptureFixture
):
    hide_secret_in_logs(TOKEN)
    hide_secret_in_logs(TOKEN)  # idempotent
    logger = logging.getLogger("httpx")
    with caplog.at_level(logging.INFO):
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        logger.warning("url %s", "https://x/bot123456%3ASECRET-token_x/getMe")
        try:
            raise RuntimeError(f"connect to /bot{TOKEN}/getUpdates failed")
        except RuntimeError:
            logger.exception("failed")
    text = caplog.text + "".join(logging.Formatter().format(record) for record in caplog.records)
    assert "SECRET" not in text
    assert text.count("<token>") >= 3


# --------------------------------------------------------------------------- webhook, health


def test_webhook_settings_come_from_the_environment_and_are_checked():
    from bot.config import ConfigError, listen_address, load_settings

    settings = load_settings(
        {
            "TELEGRAM_WEBHOOK_URL": "https://bot.example/hook",
            "BOT_WEBHOOK_LISTEN": "0.0.0.0:8443",
            "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-1",
        },
        config_file=None,
    )
    assert (settings.webhook_url, settings.webhook_listen) == (
        "https://bot.example/hook",
        "0.0.0.0:8443",
    )
    assert "abc_DEF" not in repr(settings)
    assert listen_address("[::1]:8080") == ("::1", 8080)
    for bad in (
        {"TELEGRAM_WEBHOOK_URL": "http://bot.example/hook"},
        {"BOT_WEBHOOK_LISTEN": "8080"},
        {"BOT_WEBHOOK_LISTEN": "localhost:99999"},
        {"TELEGRAM_WEBHOOK_SECRET": "has spaces"},
    ):
        with pytest.raises(ConfigError):
            load_settings(bad, config_file=None)


def test_run_with_a_plain_http_webhook_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "missing.yaml"))
    assert main(["run", "--webhook", "http://bot.example/hook"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "error: webhook_url: Telegram needs an https:// URL, got 'http://bot.example/hook'\n"
    )


def test_health_says_ok_when_the_index_loads_and_the_log_is_writable(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    from tests.telegram.helpers import KNOWLEDGE

    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "missing.yaml"))
    code = main(["health", "--knowledge", str(KNOWLEDGE), "--data", str(tmp_path / "data")])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].startswith("index: 4 documents, index ")
    assert lines[1] == f"log: {tmp_path / 'data' / 'questions.sqlite3'}"
    assert lines[-1] == "ok"


def test_health_fails_when_the_knowledge_is_missing_or_the_log_is_locked(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    import sqlite3

    monkeypatch.setenv("BOT_CONFIG", str(tmp_path / "missing.yaml"))
    data = tmp_path / "data"
    assert main(["health", "--knowledge", str(tmp_path / "none"), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "index: not loaded" in out
    assert out.rstrip().endswith("not ok")
    # Another process holds the write lock: the check says so instead of waiting forever.
    from bot.store import QuestionLog

    QuestionLog.open(data / "questions.sqlite3", secret="").close()
    holder = sqlite3.connect(data / "questions.sqlite3", timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        from tests.telegram.helpers import KNOWLEDGE

        assert main(["health", "--knowledge", str(KNOWLEDGE), "--data", str(data)]) == 1
    finally:
        holder.rollback()
        holder.close()
    out = capsys.readouterr().out
    assert "log: not writable" in out
    assert "(database is locked)" in out


def test_running_health_reports_a_missing_log():
    from bot.health import running

    class Service:
        documents = (1, 2)
        version = "abc"

    health = running(Service(), None)
    assert health.as_dict() == {
        "ok": False,
        "index": "2 documents, index abc",
        "log": "",
        "problems": ["the question log is not open"],
    }
