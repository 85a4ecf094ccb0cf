"""Recognise a personal case written without any number ("Min son behöver stödboende …").

The wording is data, per language, in ``bot/data/personal_cases.yaml``: a relative named in
the first person together with a need ("min son" + "behöver"), or wording that only a
personal case uses ("mitt ärende", "min handläggare"). Such a question gets the pointer of
:func:`bot.store.redact.personal_case_reply` instead of a search.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

_KINDS = ("relative", "need", "case")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str] | None]:
    """Compile every language's patterns of each kind into one expression per kind."""
    text = resources.files("bot.data").joinpath("personal_cases.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    found: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    for patterns in data.values():
        for kind in _KINDS:
            found[kind].extend(str(pattern) for pattern in patterns.get(kind) or ())
    return {
        kind: re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in found[kind]) + r")\b", re.I)
        if found[kind]
        else None
        for kind in _KINDS
    }


def personal_case(text: str) -> bool:
    """Tell whether a question describes someone's own case with the social services.

    Args:
        text: The question (already redacted or not).

    Returns:
        True for a relative named in the first person together with a need, or for wording
        only a personal case uses.
    """
    patterns = _patterns()

    def found(kind: str) -> bool:
        pattern = patterns[kind]
        return pattern is not None and pattern.search(text) is not None

    return found("case") or (found("relative") and found("need"))
