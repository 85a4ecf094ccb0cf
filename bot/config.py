"""Settings from the environment and an optional YAML file; the environment wins."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
DEFAULT_CONFIG_FILE = "bot.yaml"


def private_directory(path: Path) -> Path:
    """Create a folder only its owner may enter (mode 0700), with any missing parents.

    A folder that already exists is left as it is: its owner chose its mode.

    Args:
        path: The folder, e.g. the data folder.

    Returns:
        ``path``.

    Raises:
        OSError: When the folder cannot be created.
    """
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode passes through the umask
    return path


class ConfigError(Exception):
    """The configuration file or an environment variable is invalid."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to run, with safe defaults."""

    telegram_token: str = field(default="", repr=False)
    telegram_base_url: str = ""
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    data_dir: Path = Path("data")
    log_level: str = "INFO"
    admin_ids: frozenset[int] = frozenset()
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    hmac_secret: str = field(default="", repr=False)
    retention_days: int = 90
    questions_per_minute: int = 10
    default_language: str = "sv"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_frame_ancestors: str = "'self'"
    """CSP ``frame-ancestors`` sources: the sites that may show the web chat in an iframe."""
    webhook_url: str = ""
    """Public HTTPS URL Telegram POSTs updates to; empty means long polling."""
    webhook_listen: str = "127.0.0.1:8080"
    """Address the webhook server listens on (``host:port``), usually behind a TLS proxy."""
    webhook_secret: str = field(default="", repr=False)
    """Secret Telegram sends with every update; a random one per start when empty."""

    @property
    def cache_dir(self) -> Path:
        """Folder for the cached search index."""
        return self.data_dir / "index"

    @property
    def restricted(self) -> bool:
        """True when an allowlist limits who may use the bot."""
        return bool(self.allowed_user_ids or self.allowed_chat_ids)


_ENV = {
    "TELEGRAM_BOT_TOKEN": "telegram_token",
    "TELEGRAM_BASE_URL": "telegram_base_url",
    "KNOWLEDGE_DIR": "knowledge_dir",
    "BOT_DATA_DIR": "data_dir",
    "LOG_LEVEL": "log_level",
    "BOT_ADMIN_IDS": "admin_ids",
    "BOT_ALLOWED_USER_IDS": "allowed_user_ids",
    "BOT_ALLOWED_CHAT_IDS": "allowed_chat_ids",
    "BOT_HMAC_SECRET": "hmac_secret",
    "BOT_RETENTION_DAYS": "retention_days",
    "BOT_QUESTIONS_PER_MINUTE": "questions_per_minute",
    "BOT_DEFAULT_LANGUAGE": "default_language",
    "BOT_WEB_HOST": "web_host",
    "BOT_WEB_PORT": "web_port",
    "BOT_WEB_FRAME_ANCESTORS": "web_frame_ancestors",
    "TELEGRAM_WEBHOOK_URL": "webhook_url",
    "BOT_WEBHOOK_LISTEN": "webhook_listen",
    "TELEGRAM_WEBHOOK_SECRET": "webhook_secret",
}
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# One CSP source expression: a keyword, a scheme, or [scheme://]host[:port] with an optional
# leading "*." wildcard; nothing that could end the directive or start another header.
_FRAME_SOURCE = re.compile(
    r"'self'|'none'|https?:|(?:https?://)?(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?"
)


def _frame_ancestors(value: Any) -> str:
    items = value if isinstance(value, list | tuple) else str(value).split()
    sources = [str(item).strip() for item in items if str(item).strip()]
    bad = [source for source in sources if not _FRAME_SOURCE.fullmatch(source)]
    if not sources or bad:
        raise ConfigError(
            "web_frame_ancestors: expected CSP sources such as 'self' or https://www.kommun.se, "
            f"got {value!r}"
        )
    if "'none'" in sources and len(sources) > 1:
        raise ConfigError("web_frame_ancestors: 'none' cannot be combined with other sources")
    return " ".join(sources)


def _ids(value: Any, name: str) -> frozenset[int]:
    items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
    try:
        return frozenset(int(item) for item in items)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{name}: expected a list of numeric Telegram ids, got {value!r}"
        ) from None


def _coerce(name: str, value: Any) -> Any:
    if name in {"knowledge_dir", "data_dir"}:
        return Path(str(value)).expanduser()
    if name in {"admin_ids", "allowed_user_ids", "allowed_chat_ids"}:
        return _ids(value, name)
    if name in {"retention_days", "questions_per_minute"}:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
        if number < 1:
            raise ConfigError(f"{name}: must be at least 1, got {number}")
        return number
    if name == "web_port":
        try:
            port = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"web_port: expected a port number, got {value!r}") from None
        if not 0 <= port <= 65535:
            raise ConfigError(f"web_port: expected 0-65535, got {port}")
        return port
    if name == "web_frame_ancestors":
        return _frame_ancestors(value)
    if name == "default_language" and value not in {"sv", "da", "en"}:
        raise ConfigError(f"default_language: expected sv, da or en, got {value!r}")
    if name == "webhook_url" and value and not str(value).startswith("https://"):
        raise ConfigError(f"webhook_url: Telegram needs an https:// URL, got {value!r}")
    if name == "webhook_listen":
        listen_address(str(value))
    if name == "webhook_secret" and value and not _SECRET_TOKEN.match(str(value)):
        raise ConfigError("webhook_secret: 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return str(value)


def parse_setting(name: str, value: Any) -> Any:
    """Return the value of setting ``name`` from text, validated (as from the environment).

    Raises:
        ConfigError: When the value is invalid.
    """
    return _coerce(name, value)


def listen_address(value: str) -> tuple[str, int]:
    """Split ``host:port`` (``[::1]:8080`` for IPv6) into host and port.

    Raises:
        ConfigError: When it is not host:port with a port from 1 to 65535.
    """
    host, _, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"webhook_listen: expected host:port, e.g. 127.0.0.1:8080, got {value!r}"
        )
    return host, int(port)


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Build settings from an optional YAML file, then the environment on top.

    Args:
        env: Environment mapping; ``os.environ`` when None.
        config_file: YAML file; ``BOT_CONFIG`` or ``./bot.yaml`` when None (missing is fine).

    Returns:
        The merged, validated settings.

    Raises:
        ConfigError: When the file is unreadable or a value is invalid.
    """
    env = os.environ if env is None else env
    path = config_file or Path(env.get("BOT_CONFIG", DEFAULT_CONFIG_FILE))
    values: dict[str, Any] = {}
    if path.is_file():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(
                f"{path}: cannot read configuration ({exc.__class__.__name__})"
            ) from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of settings")
        known = set(Settings.__dataclass_fields__)
        for key, value in loaded.items():
            if key not in known:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value)
    for variable, name in _ENV.items():
        if env.get(variable, "").strip():
            values[name] = _coerce(name, env[variable].strip())
    return replace(Settings(), **values)
