"""Writing knowledge documents: ids, front matter, refusals and never clobbering a document."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge.importers import (
    KINDS,
    ImportedDocument,
    ImportFailed,
    extract,
    guess_language,
    import_file,
    slugify,
    to_markdown,
)

MakeFile = Callable[..., Path]
WriteFile = Callable[[str, str | bytes], Path]

TEXT = "Överenskommelse för Malmö stad 2024\n\nStaden och föreningarna är överens om att samverka."


def front_matter(markdown: str) -> dict:
    _, header, _ = markdown.split("---\n", 2)
    return yaml.safe_load(header)


def make_doc(
    *, doc_id: str = "x", title: str = "T", author: str = "", published: str = ""
) -> ImportedDocument:
    return ImportedDocument(
        id=doc_id,
        title=title,
        author=author,
        published=published,
        language="sv",
        body="Text.",
        source_name="x.txt",
    )


def test_import_writes_a_document_with_every_front_matter_field(
    write_file: WriteFile, knowledge_dir: Path
) -> None:
    target = import_file(write_file("avtal.txt", TEXT), knowledge_dir, kind="agreement")

    assert target == knowledge_dir / "overenskommelse-for-malmo-stad-2024.md"
    assert list(knowledge_dir.iterdir()) == [target]  # no temporary file left behind
    text = target.read_text(encoding="utf-8")
    assert front_matter(text) == {
        "id": "overenskommelse-for-malmo-stad-2024",
        "title": "Överenskommelse för Malmö stad 2024",
        "author": "",
        "publisher": "",
        "published": "",
        "language": "sv",
        "kind": "agreement",
        "url": "",
        "topics": [],
    }
    assert text.split("---\n", 2)[2] == (
        "\n# Överenskommelse för Malmö stad 2024\n\n"
        "Staden och föreningarna är överens om att samverka.\n"
    )


def test_import_uses_the_given_id(write_file: WriteFile, knowledge_dir: Path) -> None:
    target = import_file(write_file("avtal.txt", TEXT), knowledge_dir, doc_id="iop-malmo")

    assert target.name == "iop-malmo.md"
    assert front_matter(target.read_text(encoding="utf-8"))["id"] == "iop-malmo"


@pytest.mark.parametrize("bad_id", ["Malmö", "iop malmo", "-iop", "iop/../x", ""])
def test_import_refuses_an_invalid_id(
    write_file: WriteFile, knowledge_dir: Path, bad_id: str
) -> None:
    with pytest.raises(ImportFailed, match="invalid id"):
        import_file(write_file("avtal.txt", TEXT), knowledge_dir, doc_id=bad_id)
    assert list(knowledge_dir.iterdir()) == []


def test_import_refuses_an_existing_document_and_leaves_it_unchanged(
    write_file: WriteFile, knowledge_dir: Path
) -> None:
    existing = knowledge_dir / "overenskommelse-for-malmo-stad-2024.md"
    existing.write_text("redigerad text\n", encoding="utf-8")

    with pytest.raises(ImportFailed, match=r"already exists; use --force"):
        import_file(write_file("avtal.txt", TEXT), knowledge_dir)

    assert existing.read_text(encoding="utf-8") == "redigerad text\n"
    assert list(knowledge_dir.iterdir()) == [existing]


def test_import_with_force_replaces_an_existing_document(
    write_file: WriteFile, knowledge_dir: Path
) -> None:
    existing = knowledge_dir / "overenskommelse-for-malmo-stad-2024.md"
    existing.write_text("gammal text\n", encoding="utf-8")

    target = import_file(write_file("avtal.txt", TEXT), knowledge_dir, force=True)

    assert target == existing
    assert "Staden och föreningarna" in existing.read_text(encoding="utf-8")
    assert list(knowledge_dir.iterdir()) == [existing]


def test_failed_import_writes_nothing(write_file: WriteFile, knowledge_dir: Path) -> None:
    with pytest.raises(ImportFailed):
        import_file(write_file("trasig.pdf", b"%PDF-1.4 trasig"), knowledge_dir)

    assert list(knowledge_dir.iterdir()) == []


def test_import_refuses_a_missing_knowledge_folder(write_file: WriteFile, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="knowledge folder not found"):
        import_file(write_file("avtal.txt", TEXT), tmp_path / "saknas")


def test_import_refuses_an_unknown_kind(write_file: WriteFile, knowledge_dir: Path) -> None:
    with pytest.raises(ImportFailed, match="unknown kind 'avtal'"):
        import_file(write_file("avtal.txt", TEXT), knowledge_dir, kind="avtal")


def test_imported_pdf_document_round_trips_its_metadata(
    make_pdf: MakeFile, knowledge_dir: Path
) -> None:
    path = make_pdf(
        "avtal.pdf",
        [[["Staden och föreningarna är överens om att samverka."]]],
        info={
            "Title": 'Avtal "IOP" för Malmö',
            "Author": "Malmö stad",
            "CreationDate": "D:20240115",
        },
    )

    meta = front_matter(import_file(path, knowledge_dir).read_text(encoding="utf-8"))

    assert meta["title"] == 'Avtal "IOP" för Malmö'
    assert meta["author"] == "Malmö stad"
    assert meta["published"] == dt.date(2024, 1, 15)
    assert meta["kind"] == ""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tom.pdf", b"", r"^tom\.pdf: the file is empty$"),
        ("tom.txt", b"", r"^tom\.txt: the file is empty$"),
        ("avtal.doc", b"\xd0\xcf\x11\xe0", r"^avtal\.doc: unsupported file type \(use PDF"),
        ("a.xyz", b"hej", r"^a\.xyz: unsupported file type \(use PDF, DOCX, HTML or TXT\)$"),
        ("README", b"bara text", r"^README: unsupported file type"),
    ],
)
def test_empty_and_unsupported_files_are_refused(
    write_file: WriteFile, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ImportFailed, match=message):
        extract(write_file(name, content))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"^saknas\.pdf: no such file$"):
        extract(tmp_path / "saknas.pdf")


def test_pdf_without_suffix_is_recognised_by_its_first_bytes(
    make_pdf: MakeFile, tmp_path: Path
) -> None:
    path = make_pdf("avtal.pdf", [[["Kommunen och föreningen samverkar."]]], info={"Title": "A"})
    bare = path.rename(tmp_path / "avtal")

    assert extract(bare).body == "Kommunen och föreningen samverkar."


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Överenskommelse för Malmö stad 2024", "overenskommelse-for-malmo-stad-2024"),
        ("Frivilligt arbejde i Århus – Ærø", "frivilligt-arbejde-i-arhus-aero"),
        ("Søren Kierkegaards Plads", "soren-kierkegaards-plads"),
        ("  IOP: Idéburet offentligt partnerskap!  ", "iop-ideburet-offentligt-partnerskap"),
        ("Ett mycket långt namn " * 6, "ett-mycket-langt-namn-" * 2 + "ett-mycket-langt"),
        ("Партнёрство", ""),
    ],
)
def test_slugify_keeps_a_z_digits_and_hyphens(title: str, slug: str) -> None:
    assert slugify(title) == slug


@given(st.text())
def test_slugify_always_gives_a_valid_id_or_nothing(text: str) -> None:
    slug = slugify(text)

    assert slug == "" or re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
    assert len(slug) <= 60


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Kommunen och föreningen är överens om att det ska finnas ett partnerskap.", "sv"),
        ("Kommunen og foreningen er enige om, at der skal være et partnerskab.", "da"),
        ("The municipality and the association agree that there is a partnership.", "en"),
        ("IOP 2024", "sv"),
    ],
)
def test_language_is_guessed_from_common_words(text: str, language: str) -> None:
    assert guess_language(text) == language


@given(
    title=st.text(min_size=1),
    author=st.text(),
    published=st.sampled_from(["", "2024", "2024-03", "2024-03-05", "okänt"]),
)
def test_front_matter_is_valid_yaml_for_any_metadata(
    title: str, author: str, published: str
) -> None:
    doc = make_doc(title=title, author=author, published=published)

    meta = front_matter(to_markdown(doc))

    assert meta["title"] == " ".join(meta["title"].split())
    assert isinstance(meta["author"], str)
    assert str(meta["published"]) == published or (published == "" and meta["published"] == "")
    assert set(meta) == {
        "id",
        "title",
        "author",
        "publisher",
        "published",
        "language",
        "kind",
        "url",
        "topics",
    }


def test_front_matter_keeps_quotes_backslashes_and_swedish_letters() -> None:
    doc = make_doc(title='Avtal "IOP" \\ Åre', author="Örjan Ängel")

    meta = front_matter(to_markdown(doc))

    assert (meta["title"], meta["author"]) == ('Avtal "IOP" \\ Åre', "Örjan Ängel")


@pytest.mark.parametrize("doc_id", ["2024", "true", "null", "2024-01-15"])
def test_ids_that_yaml_would_read_as_other_types_are_quoted(doc_id: str) -> None:
    assert front_matter(to_markdown(make_doc(doc_id=doc_id)))["id"] == doc_id


def test_to_markdown_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        to_markdown(make_doc(), kind="blog")


def test_every_kind_of_the_format_is_accepted() -> None:
    for kind in KINDS:
        assert front_matter(to_markdown(make_doc(), kind=kind))["kind"] == kind


def test_an_id_too_long_for_a_file_name_is_refused_cleanly(tmp_path: Path) -> None:
    from bot.knowledge.importers import ImportFailed, import_file

    source = tmp_path / "kort.txt"
    source.write_text("Kort\n\nEn text om samverkan.\n", encoding="utf-8")
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    with pytest.raises(ImportFailed, match=r"^invalid id: 300 characters, at most 100"):
        import_file(source, knowledge, doc_id="a" * 300)
    assert list(knowledge.iterdir()) == []


def test_a_package_that_fails_to_import_is_named_with_its_real_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.knowledge.importers import ImportFailed, common

    def broken(module: str) -> object:
        raise ModuleNotFoundError("No module named 'lxml_html_clean'", name="lxml_html_clean")

    monkeypatch.setattr(common, "import_module", broken)
    with pytest.raises(ImportFailed) as caught:
        common.require("trafilatura", "trafilatura")
    assert str(caught.value) == (
        "trafilatura is installed but cannot be imported (ModuleNotFoundError: No module named "
        "'lxml_html_clean'); run: pip install 'samverkansboten[import]'"
    )


def test_a_missing_package_is_called_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.knowledge.importers import ImportFailed, common

    def missing(module: str) -> object:
        raise ModuleNotFoundError(f"No module named '{module}'", name=module)

    monkeypatch.setattr(common, "import_module", missing)
    with pytest.raises(ImportFailed, match=r"^trafilatura is not installed; run: pip install"):
        common.require("trafilatura", "trafilatura")
