"""Statute passages quote the primary sources word for word, one section per passage.

Each ``kind: law`` document in ``knowledge/`` is made of sections copied from the verbatim
statute texts in ``shared/primary-sources`` (outside this repository; the tests skip when that
folder is absent). Only the layout may differ: whitespace runs count as one space. One
correction is allowed and named: the source splits two CPV codes with a space ("80110000- 8",
"85000000- 9", see its header); the official codes are 80110000-8 and 85000000-9.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge, split_passages
from bot.models import Document

REPO = Path(__file__).resolve().parents[2]
# The shared folder lies beside the repository (CI, main) or beside the folder of worktrees.
CANDIDATES = (
    REPO.parent / "shared" / "primary-sources",
    REPO.parents[1] / "shared" / "primary-sources",
)
CPV_SPLIT = re.compile(r"(\d{8})- (\d)\b")
SECTION = re.compile(r"(\d+(?: [a-z])?) §")


def normalise(text: str) -> str:
    """Collapse whitespace and join the CPV codes the source splits."""
    return CPV_SPLIT.sub(r"\1-\2", " ".join(text.split()))


def primary_sources() -> str:
    """Return the bodies of every primary-source file, normalised and joined."""
    folder = next((path for path in CANDIDATES if path.is_dir()), None)
    if folder is None:
        pytest.skip(f"primary sources not available at {CANDIDATES[0]}")
    bodies = [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for path in sorted(folder.glob("*.txt"))
    ]
    return "\n".join(normalise(body) for body in bodies)


def laws() -> list[Document]:
    return [d for d in load_knowledge(REPO / "knowledge").documents if d.kind == "law"]


def law_passages() -> list[tuple[str, str, str]]:
    return [(p.id, p.heading, p.text) for d in laws() for p in split_passages(d)]


def test_the_bundled_knowledge_holds_the_statute_sections():
    counts = {d.id: len(split_passages(d)) for d in laws()}
    assert counts == {
        "sfs-2008-962-lov": 1,
        "sfs-2016-1145-lou": 3,
        "sfs-2017-725-kommunallagen": 9,
        "sfs-2022-900": 15,
        "sfs-2025-400-socialtjanstlagen": 7,
    }


@pytest.mark.parametrize(("passage_id", "heading", "text"), law_passages())
def test_every_law_passage_is_verbatim_under_its_own_section_number(passage_id, heading, text):
    source = primary_sources()
    section = SECTION.search(heading)
    assert section, f"{passage_id}: heading {heading!r} names no section"
    quoted = normalise(text)
    # "25 a § En upphandlande …": the text follows its own section number ("[1 kap. 2 a §]"
    # in the amending act that inserted LOV 1 kap. 2 a §).
    pattern = re.escape(section.group(0)) + r"\]? " + re.escape(quoted)
    assert re.search(pattern, source), f"{passage_id} is not verbatim under {section.group(0)}"


def test_law_headings_are_unique_and_every_law_is_identified():
    headings = [heading for _, heading, _ in law_passages()]
    assert len(headings) == len(set(headings))
    for document in laws():
        assert document.identifier.startswith("SFS ")
        assert document.url.startswith("https://rkrattsbaser.gov.se/sfst?bet=")


def test_cpv_codes_are_shown_as_the_official_codes():
    lou = next(d for d in laws() if d.id == "sfs-2016-1145-lou")
    assert "80110000-8" in lou.body
    assert "85000000-9" in lou.body
    assert CPV_SPLIT.search(lou.body) is None
