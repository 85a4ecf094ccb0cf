"""Fixture files for the importer tests, generated in ``tmp_path`` so no binaries are committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

PAGE_TOP = 770.0
LEFT = 72.0
BODY_SIZE = 11.0
HEADING_SIZE = 16.0

Paragraph = str | Sequence[str]
"""A paragraph of a generated PDF page: one line, or its lines as they are broken.

A one-line paragraph written ``"# text"`` is set as a heading in a larger font.
"""


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), with ``\\ ( )`` escaped."""
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string for the info dictionary: UTF-16BE with a byte order mark, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _page_stream(
    paragraphs: Sequence[Paragraph], number: int, header: str | None, footer: str | None
) -> bytes:
    ops = [b"BT"]

    def show(text: str, size: float, y: float) -> None:
        position = b"/F1 %.1f Tf 1 0 0 1 %.1f %.1f Tm " % (size, LEFT, y)
        ops.append(position + _pdf_string(text) + b" Tj")

    if header is not None:
        show(header.format(n=number), 9.0, 810.0)
    y = PAGE_TOP
    for item in paragraphs:
        lines = [item] if isinstance(item, str) else list(item)
        size = BODY_SIZE
        if isinstance(item, str) and item.startswith("# "):
            lines, size = [item[2:]], HEADING_SIZE
        for line in lines:
            show(line, size, y)
            y -= size * 1.3
        y -= size * 0.8  # the space after a paragraph, as word processors add it
    if footer is not None:
        show(footer.format(n=number), 9.0, 30.0)
    ops.append(b"ET")
    return b"\n".join(ops)


def build_pdf(
    pages: Sequence[Sequence[Paragraph]],
    *,
    info: dict[str, str] | None = None,
    xmp: tuple[str, str] | None = None,
    header: str | None = None,
    footer: str | None = None,
    raw_streams: Sequence[bytes] | None = None,
) -> bytes:
    """Write a small valid PDF with Helvetica text, optional info dictionary and XMP packet.

    ``header``/``footer`` are repeated on every page with ``{n}`` replaced by the page number;
    ``info`` values are written as text strings except ``CreationDate``, written as is.
    """
    streams = list(raw_streams or [])
    if not streams:
        streams = [
            _page_stream(page, number, header, footer) for number, page in enumerate(pages, 1)
        ]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    pages_id = font + 2 * len(streams) + 1
    kids = []
    for stream in streams:
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_id, font, content)
            )
        )
    assert (
        add(
            b"<< /Type /Pages /Kids ["
            + b" ".join(b"%d 0 R" % kid for kid in kids)
            + b"] /Count %d >>" % len(kids)
        )
        == pages_id
    )
    catalog_extra = b""
    if xmp is not None:
        packet = _xmp_packet(*xmp)
        metadata = add(
            b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet)
            + packet
            + b"\nendstream"
        )
        catalog_extra = b" /Metadata %d 0 R" % metadata
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R" % pages_id + catalog_extra + b" >>")
    info_ref = b""
    if info:
        entries = [
            b"/"
            + key.encode("ascii")
            + b" "
            + (
                b"(" + value.encode("ascii") + b")"
                if key == "CreationDate"
                else _pdf_text_string(value)
            )
            for key, value in info.items()
        ]
        info_ref = b" /Info %d 0 R" % add(b"<< " + b" ".join(entries) + b" >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog) + info_ref
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _xmp_packet(title: str, creator: str) -> bytes:
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>""".encode()


MakePdf = Callable[..., Path]


@pytest.fixture
def make_pdf(tmp_path: Path) -> MakePdf:
    """Return ``make(name, pages, **build_pdf_options) -> Path`` writing into ``tmp_path``."""

    def make(name: str, pages: Sequence[Sequence[Paragraph]] = (), **options: object) -> Path:
        path = tmp_path / name
        path.write_bytes(build_pdf(pages, **options))  # type: ignore[arg-type]
        return path

    return make


@pytest.fixture
def encrypt_pdf() -> Callable[..., Path]:
    """Return ``encrypt(path, user_password, *, allow_copy=True)``: RC4-encrypt a PDF in place."""
    from pypdf import PdfWriter
    from pypdf.constants import UserAccessPermissions

    def encrypt(path: Path, user_password: str, *, allow_copy: bool = True) -> Path:
        permissions = UserAccessPermissions.all()
        if not allow_copy:
            permissions &= ~UserAccessPermissions.EXTRACT
        writer = PdfWriter(clone_from=path)
        writer.encrypt(
            user_password=user_password,
            owner_password="ägare",
            algorithm="RC4-128",
            permissions_flag=permissions,
        )
        with path.open("wb") as handle:
            writer.write(handle)
        return path

    return encrypt


@pytest.fixture
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    """Return ``make(name, blocks, title=, author=, created=, table=) -> Path``.

    ``blocks`` are ``(style, text)`` pairs; ``table`` is a list of rows of cell texts.
    """
    import docx

    def make(
        name: str,
        blocks: Sequence[tuple[str, str]],
        *,
        title: str = "",
        author: str = "",
        created: dt.datetime | None = None,
        table: Sequence[Sequence[str]] = (),
    ) -> Path:
        document = docx.Document()
        props = document.core_properties
        props.title = title
        props.author = author
        if created is not None:
            props.created = created
        for style, text in blocks:
            document.add_paragraph(text, style=style)
        if table:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for row, cells in zip(grid.rows, table, strict=True):
                for cell, text in zip(row.cells, cells, strict=True):
                    cell.text = text
        path = tmp_path / name
        document.save(str(path))
        return path

    return make


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Return ``write(name, content) -> Path``; ``str`` content is written as UTF-8."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """An empty knowledge folder."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    return folder
