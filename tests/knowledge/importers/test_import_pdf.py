"""PDF import: metadata, paragraphs, page furniture, encryption and damaged files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.importers import ImportFailed, extract

MakeFile = Callable[..., Path]
WriteFile = Callable[[str, str | bytes], Path]

AGREEMENT = [
    [
        "# Lokal överenskommelse",
        [
            "Malmö stad och den idéburna sektorn ingår denna överenskommelse för att",
            "stärka samverkan kring välfärd, demokrati och delaktighet i hela staden.",
        ],
        [
            "Parterna ska träffas två gånger per år och följa upp hur",
            "överenskommelsen används i förvaltningarna.",
        ],
    ]
]


def test_pdf_metadata_fills_title_author_and_date(make_pdf: MakeFile) -> None:
    path = make_pdf(
        "avtal.pdf",
        AGREEMENT,
        info={
            "Title": "Överenskommelse för Malmö stad 2024",
            "Author": "Malmö stad",
            "CreationDate": "D:20240115093000+01'00'",
        },
    )

    doc = extract(path)

    assert doc.title == "Överenskommelse för Malmö stad 2024"
    assert doc.author == "Malmö stad"
    assert doc.published == "2024-01-15"
    assert doc.language == "sv"
    assert doc.id == "overenskommelse-for-malmo-stad-2024"
    assert doc.source_name == "avtal.pdf"


def test_pdf_paragraph_gaps_and_heading_survive_with_swedish_letters(make_pdf: MakeFile) -> None:
    doc = extract(make_pdf("avtal.pdf", AGREEMENT, info={"Title": "Avtal"}))

    assert doc.body.split("\n\n") == [
        "## Lokal överenskommelse",
        "Malmö stad och den idéburna sektorn ingår denna överenskommelse för att stärka "
        "samverkan kring välfärd, demokrati och delaktighet i hela staden.",
        "Parterna ska träffas två gånger per år och följa upp hur överenskommelsen används "
        "i förvaltningarna.",
    ]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["Vi vill utveckla sam-", "verkan i staden."], "Vi vill utveckla samverkan i staden."),
        (["Ett nytt IOP-", "avtal tecknas."], "Ett nytt IOP-avtal tecknas."),
        (["Inom sjuk-", "och hälsovården."], "Inom sjuk- och hälsovården."),
        (["Gäller Malmö-", "Lund och Skåne."], "Gäller Malmö-Lund och Skåne."),
        (["Gäller 2023-", "2025 enligt beslut."], "Gäller 2023-2025 enligt beslut."),
        (["Kontakta oss via e-", "post om avtalet."], "Kontakta oss via e-post om avtalet."),
    ],
)
def test_pdf_line_end_hyphen_is_removed_only_inside_a_lowercase_word(
    make_pdf: MakeFile, lines: list[str], joined: str
) -> None:
    doc = extract(make_pdf("a.pdf", [[lines]], info={"Title": "Avtal"}))

    assert doc.body == joined


def test_pdf_running_headers_footers_and_page_numbers_are_dropped(make_pdf: MakeFile) -> None:
    pages = [
        [["Första sidans text om partnerskapet mellan kommunen och föreningen."]],
        [["Andra sidans text om hur partnerskapet följs upp varje år."]],
        [["Tredje sidans text om hur avtalet kan sägas upp."]],
    ]
    path = make_pdf(
        "iop.pdf",
        pages,
        info={"Title": "IOP"},
        header="IOP-avtal Malmö stad 2024",
        footer="Sida {n} av 3",
    )

    doc = extract(path)

    assert doc.body.split("\n\n") == [
        "Första sidans text om partnerskapet mellan kommunen och föreningen.",
        "Andra sidans text om hur partnerskapet följs upp varje år.",
        "Tredje sidans text om hur avtalet kan sägas upp.",
    ]


def test_pdf_bare_page_numbers_are_dropped_even_on_two_pages(make_pdf: MakeFile) -> None:
    pages = [[["Text på första sidan."], "1"], [["Text på andra sidan."], "2"]]

    doc = extract(make_pdf("a.pdf", pages, info={"Title": "Avtal"}))

    assert doc.body == "Text på första sidan.\n\nText på andra sidan."


def test_pdf_sentence_running_over_a_page_break_stays_one_paragraph(make_pdf: MakeFile) -> None:
    pages = [[["Föreningen ansvarar för att verksamheten"]], [["bedrivs enligt avtalet."]]]

    doc = extract(make_pdf("a.pdf", pages, info={"Title": "Avtal"}))

    assert doc.body == "Föreningen ansvarar för att verksamheten bedrivs enligt avtalet."


def test_pdf_without_metadata_takes_title_from_largest_text_and_leaves_date_empty(
    make_pdf: MakeFile,
) -> None:
    doc = extract(make_pdf("scan_0001.pdf", AGREEMENT))

    assert doc.title == "Lokal överenskommelse"
    assert doc.author == ""
    assert doc.published == ""
    assert doc.id == "lokal-overenskommelse"
    assert doc.body.startswith("Malmö stad och den idéburna")
    assert any("title" in note for note in doc.notes)


def test_pdf_without_metadata_or_heading_takes_title_from_first_line(make_pdf: MakeFile) -> None:
    pages = [["Samverkansavtal", ["Kommunen och föreningen samverkar om fritidsverksamhet."]]]

    doc = extract(make_pdf("x.pdf", pages))

    assert doc.title == "Samverkansavtal"
    assert doc.body == "Kommunen och föreningen samverkar om fritidsverksamhet."


def test_pdf_placeholder_title_is_ignored(make_pdf: MakeFile) -> None:
    path = make_pdf("x.pdf", AGREEMENT, info={"Title": "Microsoft Word - avtal_v3.docx"})

    assert extract(path).title == "Lokal överenskommelse"


def test_pdf_title_and_author_fall_back_to_xmp(make_pdf: MakeFile) -> None:
    path = make_pdf("x.pdf", AGREEMENT, xmp=("IOP Göteborg", "Göteborgs stad"))

    doc = extract(path)

    assert (doc.title, doc.author) == ("IOP Göteborg", "Göteborgs stad")


@pytest.mark.parametrize(
    ("raw", "published"),
    [
        ("D:20240115093000+01'00'", "2024-01-15"),
        ("D:202403", "2024-03"),
        ("D:2024", "2024"),
        ("20231231", "2023-12-31"),
        ("D:20241340", ""),
        ("yesterday", ""),
    ],
)
def test_pdf_creation_date_keeps_only_the_stated_precision(
    make_pdf: MakeFile, raw: str, published: str
) -> None:
    path = make_pdf("x.pdf", AGREEMENT, info={"Title": "Avtal", "CreationDate": raw})

    assert extract(path).published == published


def test_pdf_encrypted_with_a_password_is_refused(
    make_pdf: MakeFile, encrypt_pdf: Callable[..., Path]
) -> None:
    path = encrypt_pdf(make_pdf("hemlig.pdf", AGREEMENT), "hemligt")

    with pytest.raises(ImportFailed, match=r"^hemlig\.pdf: the PDF is encrypted$"):
        extract(path)


def test_pdf_encrypted_with_an_empty_user_password_opens(
    make_pdf: MakeFile, encrypt_pdf: Callable[..., Path]
) -> None:
    path = encrypt_pdf(make_pdf("skyddad.pdf", AGREEMENT, info={"Title": "Avtal"}), "")

    doc = extract(path)

    assert doc.title == "Avtal"
    assert "idéburna sektorn" in doc.body


def test_pdf_that_forbids_copying_text_is_imported_with_a_note(
    make_pdf: MakeFile, encrypt_pdf: Callable[..., Path]
) -> None:
    path = encrypt_pdf(make_pdf("låst.pdf", AGREEMENT), "", allow_copy=False)

    doc = extract(path)

    assert "idéburna sektorn" in doc.body
    assert any("forbid copying" in note for note in doc.notes)


def test_pdf_needing_a_missing_crypto_library_says_so(
    make_pdf: MakeFile, encrypt_pdf: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pypdf

    path = encrypt_pdf(make_pdf("aes.pdf", AGREEMENT), "")

    def needs_cryptography(self: object, password: str) -> None:
        raise pypdf.errors.DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf.PdfReader, "decrypt", needs_cryptography)

    with pytest.raises(ImportFailed, match=r"AES.*cryptography"):
        extract(path)


def test_pdf_without_text_says_it_needs_ocr(make_pdf: MakeFile) -> None:
    path = make_pdf("skannad.pdf", raw_streams=[b"0 0 100 100 re f"])

    with pytest.raises(ImportFailed, match=r"^skannad\.pdf: no text found \(.*OCR"):
        extract(path)


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n not a pdf at all",
        b"%PDF-1.4\n garbage without objects or trailer",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R",
    ],
    ids=["not-a-pdf", "garbage", "truncated"],
)
def test_damaged_pdf_fails_with_a_message_not_a_traceback(
    write_file: WriteFile, content: bytes
) -> None:
    with pytest.raises(ImportFailed, match=r"^bad\.pdf: "):
        extract(write_file("bad.pdf", content))


def test_truncated_real_pdf_fails_cleanly(make_pdf: MakeFile) -> None:
    path = make_pdf("half.pdf", AGREEMENT)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])

    with pytest.raises(ImportFailed, match=r"^half\.pdf: "):
        extract(path)


def test_html_page_saved_as_pdf_is_reported(write_file: WriteFile) -> None:
    path = write_file("rapport.pdf", "<!DOCTYPE html><html><body>Logga in</body></html>")

    with pytest.raises(ImportFailed, match=r"not a valid PDF.*HTML page"):
        extract(path)
