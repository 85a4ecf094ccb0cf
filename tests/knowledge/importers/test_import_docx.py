"""DOCX import: core properties, headings, lists, tables and files that are not Word files."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.importers import ImportFailed, extract

MakeFile = Callable[..., Path]
WriteFile = Callable[[str, str | bytes], Path]

CONTRACT = [
    ("Title", "IOP-avtal om stöd till brottsutsatta"),
    ("Heading 1", "Parter"),
    ("Normal", "Avtalet sluts mellan Lunds kommun och Kvinnojouren i Lund."),
    ("Heading 2", "Åtaganden"),
    ("List Bullet", "Föreningen driver jourverksamhet."),
    ("List Bullet", "Kommunen bidrar med lokaler och ekonomiskt stöd."),
    ("Normal", "Avtalet följs upp årligen."),
]


def test_docx_core_properties_fill_title_author_and_date(make_docx: MakeFile) -> None:
    path = make_docx(
        "iop.docx",
        CONTRACT,
        title="IOP-avtal om stöd till brottsutsatta",
        author="Lunds kommun",
        created=dt.datetime(2023, 9, 4, 10, 0, tzinfo=dt.timezone.utc),
    )

    doc = extract(path)

    assert (doc.title, doc.author, doc.published) == (
        "IOP-avtal om stöd till brottsutsatta",
        "Lunds kommun",
        "2023-09-04",
    )
    assert doc.id == "iop-avtal-om-stod-till-brottsutsatta"
    assert doc.language == "sv"


def test_docx_headings_become_markdown_and_list_items_stay_together(make_docx: MakeFile) -> None:
    doc = extract(make_docx("iop.docx", CONTRACT, title="IOP-avtal om stöd till brottsutsatta"))

    assert doc.body.split("\n\n") == [
        "## Parter",
        "Avtalet sluts mellan Lunds kommun och Kvinnojouren i Lund.",
        "### Åtaganden",
        "- Föreningen driver jourverksamhet.\n- Kommunen bidrar med lokaler och ekonomiskt stöd.",
        "Avtalet följs upp årligen.",
    ]


def test_docx_without_core_title_uses_its_title_paragraph(make_docx: MakeFile) -> None:
    doc = extract(make_docx("x.docx", CONTRACT))

    assert doc.title == "IOP-avtal om stöd till brottsutsatta"
    assert doc.body.startswith("## Parter")


def test_docx_table_rows_become_paragraphs(make_docx: MakeFile) -> None:
    path = make_docx(
        "budget.docx",
        [("Normal", "Budget för partnerskapet.")],
        title="Budget",
        table=[["Post", "Belopp"], ["Lokalhyra", "120 000 kr"]],
    )

    assert extract(path).body.split("\n\n") == [
        "Budget för partnerskapet.",
        "Post | Belopp",
        "Lokalhyra | 120 000 kr",
    ]


def test_docx_placeholder_author_is_not_taken_for_the_author(make_docx: MakeFile) -> None:
    path = make_docx("x.docx", CONTRACT, title="Avtal", author="python-docx")

    assert extract(path).author == ""


def test_docx_without_text_is_refused(make_docx: MakeFile) -> None:
    with pytest.raises(ImportFailed, match=r"^tom\.docx: no text found$"):
        extract(make_docx("tom.docx", [], title="Tom"))


def test_encrypted_or_old_word_file_named_docx_is_refused(write_file: WriteFile) -> None:
    ole_header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    with pytest.raises(ImportFailed, match="encrypted or old-style Word file"):
        extract(write_file("skyddad.docx", ole_header))


def test_zip_that_is_not_a_word_document_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hej.txt", "hej")

    with pytest.raises(ImportFailed, match=r"^arkiv\.docx: the DOCX is damaged"):
        extract(path)


def test_text_file_named_docx_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(ImportFailed, match=r"^x\.docx: not a valid DOCX$"):
        extract(write_file("x.docx", "bara text"))


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(210):  # 210 MB of zeros, about 200 kB packed
                member.write(zeros)
    assert path.stat().st_size < 2_000_000

    with pytest.raises(ImportFailed, match=r"^bomb\.docx: the DOCX unpacks to 220 MB, more than"):
        extract(path)
