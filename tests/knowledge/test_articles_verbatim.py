"""The five article documents quote their web sources verbatim, minus page furniture.

Each ``knowledge/art-*.md`` body must consist of lines copied character for character from
the captured source text in ``../shared/source-documents`` (outside this repository; the
tests skip when that folder is absent).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
SOURCES = Path(__file__).resolve().parents[3] / "shared" / "source-documents"

ARTICLES = {
    "art-vgr-samverkan-2017": "000_72debbc817b8aa43.txt",
    "art-skr-isling-2022": "001_7656a024b0094bf9.txt",
    "art-soderberg-dialog-2018": "002_7ec7a68e45959413.txt",
    "art-torp-samskabelse-2017": "003_0f23872611dc3117.txt",
    "art-vgr-overenskommelse-2014": "004_b6ae977997cd3c30.txt",
}

EXPECTED_FRONT_MATTER = {
    "art-vgr-samverkan-2017": ("Jan Alexandersson", "", "2017-07-17", "sv", "opinion"),
    "art-skr-isling-2022": ("Staffan Isling", "SKR", "2022-09-27", "sv", "column"),
    "art-soderberg-dialog-2018": ("Ingalill Söderberg", "", "2018-03-02", "sv", "opinion"),
    "art-torp-samskabelse-2017": (
        "Trine Torp",
        "Kommunen ApS (kommunen.dk)",
        "2017",
        "da",
        "column",
    ),
    "art-vgr-overenskommelse-2014": ("", "overenskommelsen.se", "2014-12-18", "sv", "news"),
}

TOPIC_IDS = {"iop", "reserved", "agreements", "civil-society", "denmark", "approach"}

# Phrases from menus, paywalls, share/contact boxes, comment and newsletter prompts.
FURNITURE_PHRASES = (
    "Prenumerera",
    "prenumeration",
    "Få hela storyn",
    "BRA JOURNALISTIK",
    "Swisha",
    "Gillar du det vi gör",
    "Det här är opinionsmaterial",
    "Åsikterna som uttrycks",
    "Ämnen i artikeln",
    "Dela artikeln",
    "nyhetsbrev",
    "nyhedsbrev",
    "Tipsa en vän",
    "Tidigare krönikor",
    "Informationsansvarig",
    "Presschef",
    "Kontakta oss",
    "Kontaktformulär",
    "Verifiering",
    "inte en robot",
    "MOBILE HEADER",
    "SELECT LANGUAGE",
    "Use Google to translate",
    "Cookie",
    "logget ind",
    "Pressenævnet",
    "CVR:",
    "Bild:",
    "Publicerad",
    "info@",
)

# Section labels and tag lines that are furniture only when they stand on a line of their own.
FURNITURE_LINES = (
    "Debatt. .",
    "Kommunpolitik",
    "Meny",
    "Politik fra rødderne",
    "Organisation & ledelse",
    "Kommentarer",
)

LIST_MARKER = re.compile(r"^(?:[-*+•]|\d+\.)\s+")
QUOTE_CHARS = "\"”“’'\u00a0 "


def read_article(doc_id: str) -> tuple[dict, list[str]]:
    """Return the front matter and the body lines of ``knowledge/<doc_id>.md``."""
    lines = (KNOWLEDGE / f"{doc_id}.md").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "---", f"{doc_id}: front matter must start on line 1"
    end = lines.index("---", 1)
    meta = yaml.safe_load("\n".join(lines[1:end]))
    return meta, lines[end + 1 :]


def quoted_lines(body: list[str]) -> list[str]:
    """Return the non-blank body lines without the title's ``# ``, list markers and edges."""
    result = []
    for raw in body:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# "):
            line = line[2:]
        result.append(LIST_MARKER.sub("", line).strip())
    return result


def source_text(doc_id: str) -> str:
    """Return the captured web text the article was taken from."""
    if not SOURCES.is_dir():
        pytest.skip(f"source documents not available at {SOURCES}")
    return (SOURCES / ARTICLES[doc_id]).read_text(encoding="utf-8")


@pytest.fixture(params=sorted(ARTICLES))
def doc_id(request: pytest.FixtureRequest) -> str:
    return request.param


def test_every_body_line_occurs_verbatim_in_its_source(doc_id: str) -> None:
    source = source_text(doc_id)
    _, body = read_article(doc_id)
    lines = quoted_lines(body)
    assert lines, f"{doc_id} has an empty body"
    missing = [line for line in lines if line not in source]
    assert missing == [], f"{doc_id}: lines not found verbatim in {ARTICLES[doc_id]}"


def test_body_keeps_the_source_order_after_the_title(doc_id: str) -> None:
    source = source_text(doc_id)
    _, body = read_article(doc_id)
    cursor = 0
    for line in quoted_lines(body)[1:]:
        found = source.find(line, cursor)
        assert found >= 0, f"{doc_id}: {line[:60]!r} is out of order or not in the source"
        cursor = found + len(line)


def test_title_line_is_the_headline_and_matches_front_matter(doc_id: str) -> None:
    source = source_text(doc_id)
    meta, body = read_article(doc_id)
    first = next(line for line in body if line.strip())
    assert first.startswith("# ")
    assert first[2:] == meta["title"]
    assert meta["title"] in [line.strip() for line in source.split("\n")]


def test_no_page_furniture_remains(doc_id: str) -> None:
    _, body = read_article(doc_id)
    text = "\n".join(body).casefold()
    left = [phrase for phrase in FURNITURE_PHRASES if phrase.casefold() in text]
    assert left == [], f"{doc_id} still contains page furniture"
    lines = set(quoted_lines(body))
    assert lines.isdisjoint(FURNITURE_LINES), f"{doc_id} still has a section or tag line"


def test_no_pull_quote_or_caption_repeats_body_text(doc_id: str) -> None:
    _, body = read_article(doc_id)
    lines = quoted_lines(body)[1:]
    for i, line in enumerate(lines):
        core = line.strip(QUOTE_CHARS)
        if len(core.split()) < 4:
            continue
        repeats = [other for j, other in enumerate(lines) if j != i and core in other]
        assert repeats == [], f"{doc_id}: {core[:60]!r} is repeated elsewhere in the body"


def test_front_matter_shows_only_what_the_source_shows(doc_id: str) -> None:
    meta, _ = read_article(doc_id)
    author, publisher, published, language, kind = EXPECTED_FRONT_MATTER[doc_id]
    assert meta["id"] == doc_id
    assert meta["author"] == author
    assert meta["publisher"] == publisher
    assert str(meta["published"]) == published
    assert meta["language"] == language
    assert meta["kind"] == kind
    assert meta["url"] == ""
    assert meta["topics"]
    assert set(meta["topics"]) <= TOPIC_IDS
