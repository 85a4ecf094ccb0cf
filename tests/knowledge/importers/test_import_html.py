"""HTML import: main text via trafilatura, stated metadata only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.importers import ImportFailed, extract

MakeFile = Callable[..., Path]
WriteFile = Callable[[str, str | bytes], Path]

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<title>IOP med Malmö stad | Malmö stad</title>
<meta name="author" content="Anna Åberg">
{head}
</head><body>
<nav><a href="/">Hem</a> <a href="/kontakt">Kontakt</a> <a href="/sok">Sök</a></nav>
<article>
<h1>IOP med Malmö stad</h1>
<p>Malmö stad och föreningen har ingått ett idéburet offentligt partnerskap för att stärka
arbetet mot ofrivillig ensamhet bland äldre i stadens alla delar.</p>
<h2>Syfte</h2>
<p>Syftet är att samverka kring gemensamma mål, och partnerskapet ska följas upp årligen av
båda parter.</p>
<ul><li>Träffpunkter i varje stadsdel</li><li>Telefonkontakt för den som inte kan komma</li></ul>
</article>
<footer>© 2021 Malmö stad. Alla rättigheter förbehållna.</footer>
</body></html>"""


def test_html_main_text_title_and_author_are_taken_from_the_page(write_file: WriteFile) -> None:
    doc = extract(write_file("iop.html", PAGE.format(head="")))

    assert doc.title == "IOP med Malmö stad"
    assert doc.author == "Anna Åberg"
    assert doc.language == "sv"
    assert doc.body.split("\n\n") == [
        "Malmö stad och föreningen har ingått ett idéburet offentligt partnerskap för att stärka "
        "arbetet mot ofrivillig ensamhet bland äldre i stadens alla delar.",
        "## Syfte",
        "Syftet är att samverka kring gemensamma mål, och partnerskapet ska följas upp årligen "
        "av båda parter.",
        "- Träffpunkter i varje stadsdel\n- Telefonkontakt för den som inte kan komma",
    ]
    assert "Kontakt" not in doc.body


def test_html_without_a_stated_date_leaves_published_empty(write_file: WriteFile) -> None:
    # The copyright year in the footer is not a publication date.
    assert extract(write_file("iop.html", PAGE.format(head=""))).published == ""


@pytest.mark.parametrize(
    ("head", "published"),
    [
        (
            '<meta property="article:published_time" content="2024-03-05T10:00:00+01:00">',
            "2024-03-05",
        ),
        ('<meta name="date" content="2023-05">', "2023-05"),
    ],
)
def test_html_date_keeps_only_the_stated_precision(
    write_file: WriteFile, head: str, published: str
) -> None:
    assert extract(write_file("iop.html", PAGE.format(head=head))).published == published


def test_html_canonical_address_is_offered_as_a_note_not_written(write_file: WriteFile) -> None:
    head = '<link rel="canonical" href="https://malmo.se/iop">'

    doc = extract(write_file("iop.htm", PAGE.format(head=head)))

    assert any("https://malmo.se/iop" in note for note in doc.notes)


def test_html_in_latin1_keeps_swedish_letters(write_file: WriteFile) -> None:
    page = PAGE.format(head="").replace('charset="utf-8"', 'charset="iso-8859-1"')

    doc = extract(write_file("iop.html", page.encode("iso-8859-1", errors="replace")))

    assert "ofrivillig ensamhet bland äldre" in doc.body


def test_html_without_text_is_refused(write_file: WriteFile) -> None:
    page = "<html><head><title>Tom sida</title></head><body></body></html>"

    with pytest.raises(ImportFailed, match=r"^tom\.html: no text found$"):
        extract(write_file("tom.html", page))


def test_pdf_named_html_is_refused(make_pdf: MakeFile, tmp_path: Path) -> None:
    pdf = make_pdf("a.pdf", [["Text."]])
    path = tmp_path / "a.html"
    path.write_bytes(pdf.read_bytes())

    with pytest.raises(ImportFailed, match=r"^a\.html: the file is a PDF, not HTML$"):
        extract(path)


def test_html_nested_list_items_are_not_repeated(write_file: WriteFile) -> None:
    page = PAGE.format(head="").replace(
        "<li>Träffpunkter i varje stadsdel</li>",
        "<li>Träffpunkter<ul><li>Rosengård</li></ul></li>",
    )

    doc = extract(write_file("iop.html", page))

    assert doc.body.count("Rosengård") == 1
