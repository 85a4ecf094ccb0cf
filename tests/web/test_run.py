"""``python -m bot web``: settings, bad arguments, a busy port, and a real process serving."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.web.run import listening_socket

REPO = Path(__file__).resolve().parents[2]


def test_web_settings_come_from_the_environment():
    settings = load_settings(
        {
            "BOT_WEB_HOST": "0.0.0.0",
            "BOT_WEB_PORT": "9000",
            "BOT_WEB_FRAME_ANCESTORS": "'self'  https://www.kommun.se *.kommun.se",
        },
        config_file=Path("/nonexistent.yaml"),
    )
    assert (settings.web_host, settings.web_port, settings.web_frame_ancestors) == (
        "0.0.0.0",
        9000,
        "'self' https://www.kommun.se *.kommun.se",
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOT_WEB_PORT", "http", "web_port: expected a port number, got 'http'"),
        ("BOT_WEB_PORT", "70000", "web_port: expected 0-65535, got 70000"),
        (
            "BOT_WEB_FRAME_ANCESTORS",
            "https://a.se; script-src *",
            "web_frame_ancestors: expected CSP sources such as 'self' or https://www.kommun.se, "
            "got 'https://a.se; script-src *'",
        ),
        (
            "BOT_WEB_FRAME_ANCESTORS",
            "'none' https://a.se",
            "web_frame_ancestors: 'none' cannot be combined with other sources",
        ),
    ],
)
def test_bad_web_settings_are_one_clear_line(variable, value, message):
    with pytest.raises(ConfigError) as raised:
        load_settings({variable: value}, config_file=Path("/nonexistent.yaml"))
    assert str(raised.value) == message


def test_port_out_of_range_is_refused(capsys, fixture_knowledge, tmp_path):
    code = main(
        ["--knowledge", str(fixture_knowledge), "--data", str(tmp_path), "web", "--port", "70000"]
    )
    assert code == 2
    assert capsys.readouterr().err == "error: --port must be 0-65535, got 70000\n"


def test_a_busy_port_is_one_line_not_a_traceback(capsys, fixture_knowledge, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        code = main(
            [
                "--knowledge",
                str(fixture_knowledge),
                "--data",
                str(tmp_path),
                "web",
                "--port",
                str(port),
            ]
        )
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: cannot listen on 127.0.0.1:{port} (Address already in use)\n"
    )


def test_python_m_bot_web_serves_until_sigterm(fixture_knowledge, tmp_path):
    env = {**os.environ, "KNOWLEDGE_DIR": str(fixture_knowledge), "BOT_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Samverkansboten web chat on http://127.0.0.1:")
        url = line.split(" on ", 1)[1].strip()
        health = httpx.get(url + "healthz", timeout=10)
        page = httpx.get(url, timeout=10)
        assert health.json()["status"] == "ok"
        assert '<label for="question">' in page.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert (tmp_path / "questions.sqlite3").is_file()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_the_listening_socket_says_tcp_so_asyncio_turns_nagle_off():
    # asyncio sets TCP_NODELAY only on connections whose socket names IPPROTO_TCP; without
    # it, answers on kept-alive connections waited ~40 ms for the client's delayed ACK.
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[1] > 0
