"""URLs that cannot open, titled sources and passage references are caught by ``check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge import load_knowledge, resolve, slug, split_passages
from bot.knowledge.links import url_problem

REPO = Path(__file__).resolve().parents[2]

GUIDE = """---
id: guide
title: "Guide"
author: ""
publisher: ""
published: 2026-01-01
language: sv
kind: guide
url: ""
topics: []
---

## Om lagen

Den här guiden förklarar en paragraf med tillräckligt många ord för att bli ett eget stycke i
texten, så att referensen och länkarna hör till just det här stycket och inget annat stycke.
<!-- sources: {sources} -->
"""

LAW = """---
id: lag
title: "Lag"
author: ""
publisher: ""
published: ""
language: sv
kind: law
url: ""
topics: []
---

## 19 kap. 25 a § LOU

Första stycket.

Andra stycket. Lag (2022:902).

## 2 § lagen (2022:900)

I denna lag avses med något.
"""


@pytest.mark.parametrize(
    ("url", "broken"),
    [
        ("https://www.riksdagen.se/sv/dokument/", False),
        ("http://docplayer.se/1-a.html", False),
        ("https://riksdagen.se/…/lag-2022900/", True),
        ("https://skr.se/%E2%80%A6/remissvar.html", True),
        ("https://example.se/a b", True),
        ("www.riksdagen.se/sv/", True),
        ("https:///sv/dokument", True),
        ("ftp://example.se/file", True),
    ],
)
def test_url_problem_names_urls_that_cannot_open(url, broken):
    assert (url_problem(url) is not None) == broken


def write(folder: Path, sources: str, register: str | None = None) -> Path:
    folder.mkdir()
    (folder / "guide.md").write_text(GUIDE.format(sources=sources), encoding="utf-8")
    (folder / "lag.md").write_text(LAW, encoding="utf-8")
    if register is not None:
        (folder / "sources.yaml").write_text(register, encoding="utf-8")
    return folder


def test_an_elided_url_fails_check_with_its_line(tmp_path, capsys):
    folder = write(tmp_path / "k", "https://riksdagen.se/…/lag/ lag#19-kap-25-a-lou")
    code = main(["--knowledge", str(folder), "--data", str(tmp_path / "d"), "check"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{folder / 'guide.md'}:17: URL 'https://riksdagen.se/…/lag/' is elided" in out


def test_a_reference_that_names_no_passage_is_a_problem(tmp_path):
    folder = write(tmp_path / "k", "lag#19-kap-25-lou lag#2-lagen-2022-900")
    problems = [p.message for p in load_knowledge(folder).problems]
    assert problems == [
        "reference 'lag#19-kap-25-lou' names no passage (a heading slug or passage number "
        "of a loaded document)"
    ]


def test_with_a_register_every_cited_url_needs_a_title(tmp_path):
    register = 'sources:\n  - url: "https://a.se/x"\n    title: "X"\n    publisher: "A"\n'
    folder = write(tmp_path / "k", "https://a.se/x https://b.se/y", register)
    knowledge = load_knowledge(folder)
    assert [p.message for p in knowledge.problems] == [
        "URL 'https://b.se/y' has no title in sources.yaml"
    ]
    assert knowledge.source("https://a.se/x").title == "X"


def test_references_resolve_by_heading_slug_or_passage_number(tmp_path):
    folder = write(tmp_path / "k", "lag#19-kap-25-a-lou lag#2")
    knowledge = load_knowledge(folder)
    passages = {d.id: split_passages(d) for d in knowledge.documents}
    guide = passages["guide"][0]
    assert guide.sources == ()
    assert guide.refs == ("lag#19-kap-25-a-lou", "lag#2")
    assert resolve("lag#19-kap-25-a-lou", passages).text == (
        "Första stycket.\n\nAndra stycket. Lag (2022:902)."
    )
    assert resolve("lag#2", passages).heading == "2 § lagen (2022:900)"
    assert slug("19 kap. 25 a § LOU") == "19-kap-25-a-lou"
    assert slug("Servicelovens § 18: samarbejde") == "servicelovens-18-samarbejde"


def test_bundled_knowledge_passes_check_with_every_url_complete(tmp_path, capsys):
    code = main(["--knowledge", str(REPO / "knowledge"), "--data", str(tmp_path), "check"])
    out = capsys.readouterr().out
    assert code == 0, out
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "knowledge").iterdir())
    assert "…/" not in text
    assert "%E2%80%A6" not in text
