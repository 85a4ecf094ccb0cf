"""Write an imported document as a knowledge file: front matter, title and body."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import replace
from pathlib import Path

from bot.knowledge.importers.common import (
    DATE,
    KINDS,
    MAX_ID_CHARS,
    ImportedDocument,
    ImportFailed,
    clean,
    one_line,
)
from bot.knowledge.importers.dispatch import extract

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def to_markdown(doc: ImportedDocument, *, kind: str = "") -> str:
    """Render a document as a knowledge file: YAML front matter, ``# title`` and the body.

    Fields the file did not state stay empty for the editor; ``url`` is never guessed.

    Args:
        doc: The extracted document.
        kind: One of :data:`KINDS`, or "" to leave it for the editor.

    Returns:
        The file text, ending with a newline.

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    title = one_line(doc.title)
    published = one_line(doc.published)
    lines = [
        "---",
        f"id: {_plain_or_quoted(doc.id)}",
        f"title: {_quoted(title)}",
        f"author: {_quoted(one_line(doc.author))}",
        'publisher: ""',
        # Unquoted like the format's own example, so YAML reads a full date as a date.
        f"published: {published if DATE.fullmatch(published) else _quoted(published)}",
        f"language: {_plain_or_quoted(doc.language)}",
        f"kind: {kind or _quoted('')}",
        'url: ""',
        "topics: []",
        "---",
        "",
        f"# {title}",
        "",
        clean(doc.body).strip(),
    ]
    return "\n".join(lines) + "\n"


def import_file(
    path: Path,
    knowledge_dir: Path,
    *,
    doc_id: str | None = None,
    force: bool = False,
    kind: str = "",
    extracted: ImportedDocument | None = None,
) -> Path:
    """Extract ``path`` and write it as ``<knowledge_dir>/<id>.md``.

    The file is written to a temporary name and moved into place, so a failure never leaves
    a half-written document; an existing document is only replaced when ``force`` is set.

    Args:
        path: The PDF, DOCX, HTML or TXT file to import.
        knowledge_dir: The existing knowledge folder.
        doc_id: The document id; by default made from the title or the file name.
        force: Replace an existing document with the same id.
        kind: The document kind, or "" to leave it for the editor.
        extracted: The result of :func:`extract` for ``path`` when the caller already has it.

    Returns:
        The path of the written document.

    Raises:
        ImportFailed: The file cannot be imported or the target cannot be written.
    """
    if kind and kind not in KINDS:
        raise ImportFailed(f"unknown kind {kind!r} (use {', '.join(KINDS)})")
    if not knowledge_dir.is_dir():
        raise ImportFailed(f"{knowledge_dir}: knowledge folder not found")
    doc = extracted or extract(path)
    if doc_id is None and not doc.id:
        raise ImportFailed(f"{path.name}: cannot make an id from the title; use --id")
    new_id = doc.id if doc_id is None else doc_id
    if len(new_id) > MAX_ID_CHARS:
        raise ImportFailed(
            f"invalid id: {len(new_id)} characters, at most {MAX_ID_CHARS} (it names the file)"
        )
    if not _ID.fullmatch(new_id):
        raise ImportFailed(f"invalid id {new_id!r} (use a-z, 0-9 and -, not starting with -)")
    doc = replace(doc, id=new_id)
    target = knowledge_dir / f"{new_id}.md"
    try:
        exists = target.exists()
    except OSError as exc:
        raise ImportFailed(f"{target}: cannot be written ({exc.strerror or exc})") from None
    if exists and not force:
        raise ImportFailed(f"{target} already exists; use --force to replace it")
    _write_atomically(target, to_markdown(doc, kind=kind), overwrite=force)
    return target


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_or_quoted(value: str) -> str:
    """Write ids and codes bare, as the format does, unless YAML would read them as non-text."""
    value = one_line(value)
    if re.fullmatch(r"[a-z][a-z0-9-]*", value) and value not in (
        "yes",
        "no",
        "on",
        "off",
        "true",
        "false",
        "null",
    ):
        return value
    return _quoted(value)


def _write_atomically(target: Path, text: str, *, overwrite: bool) -> None:
    """Write via a temporary file in the same folder; never clobber unless ``overwrite``."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide, like any other file the editor creates.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # atomic and fails if the target appeared meanwhile
        except FileExistsError:
            raise ImportFailed(f"{target} already exists; use --force to replace it") from None
        except OSError:  # file systems without hard links
            if target.exists():
                raise ImportFailed(f"{target} already exists; use --force to replace it") from None
            os.replace(tmp, target)
    except OSError as exc:
        raise ImportFailed(f"{target}: cannot be written ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
