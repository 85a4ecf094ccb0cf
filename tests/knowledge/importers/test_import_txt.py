"""TXT import: encodings, title from the first line, paragraphs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.importers import ImportFailed, extract

WriteFile = Callable[[str, str | bytes], Path]

TEXT = """Lokal överenskommelse i Örebro

Örebro kommun och föreningslivet är överens om att samverka för
ett starkt civilsamhälle.

Överenskommelsen följs upp vart annat år.
"""


def test_txt_first_line_is_the_title_and_blank_lines_separate_paragraphs(
    write_file: WriteFile,
) -> None:
    doc = extract(write_file("orebro.txt", TEXT))

    assert doc.title == "Lokal överenskommelse i Örebro"
    assert doc.id == "lokal-overenskommelse-i-orebro"
    assert doc.body == (
        "Örebro kommun och föreningslivet är överens om att samverka för\n"
        "ett starkt civilsamhälle.\n\n"
        "Överenskommelsen följs upp vart annat år."
    )
    assert (doc.author, doc.published, doc.language) == ("", "", "sv")
    assert doc.notes == ()


def test_txt_utf8_byte_order_mark_is_not_part_of_the_title(write_file: WriteFile) -> None:
    doc = extract(write_file("bom.txt", "\ufeff" + TEXT))

    assert doc.title == "Lokal överenskommelse i Örebro"


def test_txt_in_cp1252_is_read_with_a_note(write_file: WriteFile) -> None:
    doc = extract(write_file("gammal.txt", TEXT.encode("cp1252")))

    assert doc.title == "Lokal överenskommelse i Örebro"
    assert "föreningslivet är överens" in doc.body
    assert any("Windows-1252" in note for note in doc.notes)


def test_txt_in_utf16_with_byte_order_mark_is_read(write_file: WriteFile) -> None:
    doc = extract(write_file("unicode.txt", TEXT.encode("utf-16")))

    assert doc.title == "Lokal överenskommelse i Örebro"


def test_txt_with_windows_line_ends_keeps_paragraphs(write_file: WriteFile) -> None:
    doc = extract(write_file("crlf.txt", TEXT.replace("\n", "\r\n")))

    assert doc.body.count("\n\n") == 1


def test_txt_first_line_too_long_for_a_title_falls_back_to_the_file_name(
    write_file: WriteFile,
) -> None:
    long_line = "Kommunen och föreningen samverkar " * 10

    doc = extract(write_file("samverkan_2024.txt", long_line))

    assert doc.title == "samverkan 2024"
    assert doc.body == long_line.strip()
    assert any("file name" in note for note in doc.notes)


@pytest.mark.parametrize("content", ["   \n\n\t\n", "\ufeff"])
def test_txt_with_only_whitespace_has_no_text(write_file: WriteFile, content: str) -> None:
    with pytest.raises(ImportFailed, match=r"^blank\.txt: no text found$"):
        extract(write_file("blank.txt", content))


def test_binary_file_named_txt_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(ImportFailed, match=r"^data\.txt: not a text file$"):
        extract(write_file("data.txt", b"\x00\x01\x02binary"))


def test_txt_markdown_heading_marks_are_not_part_of_the_title(write_file: WriteFile) -> None:
    doc = extract(write_file("notes.txt", "# Partnerskap i Umeå\n\nText om partnerskapet."))

    assert doc.title == "Partnerskap i Umeå"


def test_txt_separator_rules_are_dropped(write_file: WriteFile) -> None:
    text = "Avtal\n\nFörsta delen.\n\n---\n\nAndra delen.\n=====\n"

    doc = extract(write_file("rules.txt", text))

    assert doc.body == "Första delen.\n\nAndra delen."
