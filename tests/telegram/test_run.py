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
