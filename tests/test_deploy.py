"""The deployment examples name files, commands and settings that exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import build_parser
from bot.config import _ENV

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
UNIT = (REPO / "deploy" / "samverkansboten.service").read_text(encoding="utf-8")


def _commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "==SUPPRESS==" and a.choices)
    return set(sub.choices)


def test_the_dockerfile_copies_what_exists_and_runs_known_commands():
    copied = re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.MULTILINE)
    sources = [name for line in copied for name in line.split()]
    assert sources == ["pyproject.toml", "README.md", "bot", "knowledge"]
    assert all((REPO / name).exists() for name in sources)
    commands = re.findall(r'"python", "-m", "bot", "(\w+)"', DOCKERFILE)
    assert commands == ["health", "run"]
    assert set(commands) <= _commands()


def test_the_examples_set_only_known_settings():
    settings = set(
        re.findall(r"\b((?:BOT|TELEGRAM)_[A-Z_]+|KNOWLEDGE_DIR|LOG_LEVEL)=", DOCKERFILE)
    )
    settings |= set(re.findall(r"\b((?:BOT|TELEGRAM)_[A-Z_]+|KNOWLEDGE_DIR|LOG_LEVEL)=", UNIT))
    assert settings
    assert settings <= set(_ENV)


def test_the_systemd_unit_runs_the_bot_from_the_venv_and_keeps_data_in_its_state_dir():
    service = dict(
        line.split("=", 1)
        for line in UNIT.splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert service["ExecStart"] == "/opt/samverkansboten/.venv/bin/python -m bot run"
    assert service["StateDirectory"] == "samverkansboten"
    assert "BOT_DATA_DIR=/var/lib/samverkansboten" in UNIT
    assert service["KillSignal"] == "SIGTERM"
