"""Evaluation questions: reading the YAML sets and telling each question's class."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.models import Result

CLASSES = (
    "definitional",
    "keyword",
    "how-to",
    "legal",
    "persona",
    "colloquial",
    "near-domain",
    "off-topic",
)
"""Question classes, answerable first; the last two should not be answered in full."""
REFUSE_CLASSES = ("near-domain", "off-topic")


class EvalSetError(Exception):
    """An evaluation file is malformed."""


@dataclass(frozen=True)
class Gold:
    """What counts as a correct passage for a question."""

    passage: str = ""
    doc: str = ""
    contains: str = ""

    def matches(self, result: Result) -> bool:
        """Return True when ``result`` is this gold passage."""
        return self.matches_passage(result.passage.id, result.citation.doc_id, result.passage.text)

    def matches_passage(self, passage_id: str, doc_id: str, text: str) -> bool:
        """Return True when the passage with this id, document and text is this gold."""
        if self.passage:
            return passage_id == self.passage
        if self.doc and doc_id != self.doc:
            return False
        return self.contains.casefold() in text.casefold()


@dataclass(frozen=True)
class Case:
    """One evaluation question."""

    question: str
    language: str
    gold: tuple[Gold, ...] = ()
    abstain: bool = False
    source: str = ""
    klass: str = ""
    """Its class (see :data:`CLASSES`): given in the file or told from the wording."""


_LEGAL = re.compile(
    r"§|\bkap\.|\bstk\.|\blag(en)?\b|\blov(en)?\b|\bparagraf|\bsfs\b|\bact\b", re.I
)
_DEFINITION = re.compile(
    r"^(vad (är|betyder|innebär|menas)|hvad (er|betyder|indebærer)|what (is|are|does))\b", re.I
)
_HOW = re.compile(r"^(hur|hvordan|how)\b|\b(steg|trin|steps)\b", re.I)
_QUESTION_WORD = re.compile(
    r"^(vad|vilk|hur|när|var|varför|kan|får|måste|ska|hvad|hvilk|hvordan|hvornår|hvor|"
    r"what|which|how|when|where|why|can|may|must|should|do|does|is|are)\b",
    re.I,
)


def infer_class(question: str, abstain: bool, source: str) -> str:
    """Tell a question's class from its wording when its file does not say.

    Args:
        question: The question.
        abstain: Whether it should not be answered.
        source: Its file name ("near" in it marks near-domain questions).

    Returns:
        One of :data:`CLASSES`.
    """
    if abstain:
        return "near-domain" if "near" in source else "off-topic"
    words = question.split()
    if _DEFINITION.search(question) and len(words) <= 6:
        return "definitional"
    if len(words) <= 4 and "?" not in question and not _QUESTION_WORD.search(question):
        return "keyword"
    if _LEGAL.search(question):
        return "legal"
    if _HOW.search(question):
        return "how-to"
    return "persona"


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Read evaluation questions from YAML files.

    Args:
        paths: Files with a ``questions`` list.

    Returns:
        The cases in file order.

    Raises:
        EvalSetError: When a file cannot be used.
    """
    cases: list[Case] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise EvalSetError(f"{path}: cannot read ({exc.__class__.__name__})") from None
        entries = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise EvalSetError(f"{path}: expected a 'questions' list")
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not str(entry.get("q") or "").strip():
                raise EvalSetError(f"{path}: question {number} has no 'q'")
            gold = tuple(
                Gold(
                    str(g.get("passage") or ""),
                    str(g.get("doc") or ""),
                    str(g.get("contains") or ""),
                )
                for g in entry.get("gold") or []
                if isinstance(g, dict)
            )
            abstain = bool(entry.get("abstain"))
            if not gold and not abstain:
                raise EvalSetError(
                    f"{path}: question {number} needs gold passages or abstain: true"
                )
            klass = str(entry.get("class") or "")
            if klass and klass not in CLASSES:
                raise EvalSetError(f"{path}: question {number}: unknown class '{klass}'")
            question = str(entry["q"])
            cases.append(
                Case(
                    question,
                    str(entry.get("lang") or ""),
                    gold,
                    abstain,
                    path.name,
                    klass or infer_class(question, abstain, path.name),
                )
            )
    return cases
