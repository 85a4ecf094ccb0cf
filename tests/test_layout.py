"""The package layout holds: imports point down, channels are siblings, handlers never chain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Lower numbers sit lower in the house; a module may import only its own group or lower ones.
LEVEL = {
    "models": 0,
    "config": 0,
    "data": 0,
    "ratelimit": 0,
    "progress": 0,
    "knowledge": 1,
    "store": 1,
    "search": 2,
    "answer": 3,
    "service": 4,
    "quality": 5,
    "bench": 5,
    # Views are pure renderings of an Answer (text, the --json object) that any channel may
    # draw with: the web API returns exactly the views' JSON. So they sit below the channels.
    "views": 5,
    "health": 5,
    "telegram": 6,
    "web": 6,
    "commands": 7,
    "cli": 8,
    "__main__": 9,
}
CHANNELS = {"telegram", "web"}
HANDLERS = {"questions", "commands", "callbacks", "inline", "admin", "guard"}


def _group(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def _imports() -> list[tuple[str, str, int]]:
    """Return (importing module, imported module, line) for every ``bot`` import in ``bot/``."""
    found = []
    for path in sorted(BOT.rglob("*.py")):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
                if node.module.count(".") < 2:  # `from bot.x import y` may name a submodule y
                    targets += [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("bot.") and _group(target) in LEVEL:
                    found.append((module, target, node.lineno))
    return found


def upward_imports(imports: list[tuple[str, str, int]]) -> list[str]:
    """Name every import that points up the house or across between sibling channels."""
    wrong = []
    for source, target, line in imports:
        low, high = _group(target), _group(source)
        if high not in LEVEL or low == high:
            continue
        if LEVEL[low] > LEVEL[high] or (low in CHANNELS and high in CHANNELS):
            wrong.append(f"{source}:{line} imports {target}")
    return wrong


def test_every_module_belongs_to_a_known_group():
    groups = {_group(source) for source, _, _ in _imports()}
    assert groups - set(LEVEL) - {""} == set()


def test_no_package_imports_one_above_it_or_a_sibling_channel():
    assert upward_imports(_imports()) == []


def test_the_check_catches_an_upward_import():
    planted = [("bot.search.query", "bot.telegram.render", 3), ("bot.views.json", "bot.web", 4)]
    assert upward_imports(planted) == [
        "bot.search.query:3 imports bot.telegram.render",
        "bot.views.json:4 imports bot.web",
    ]


@pytest.mark.parametrize("handler", sorted(HANDLERS))
def test_a_telegram_handler_imports_no_other_handler(handler: str):
    source = f"bot.telegram.{handler}"
    others = {f"bot.telegram.{name}" for name in HANDLERS - {handler}}
    assert [t for s, t, _ in _imports() if s == source and t in others] == []


def test_every_package_says_what_it_is_for():
    missing = [
        str(init.relative_to(BOT.parent))
        for init in BOT.rglob("__init__.py")
        if not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    ]
    assert missing == []
