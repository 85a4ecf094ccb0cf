"""The bad-input catalogue: hostile or broken questions and knowledge files.

Each question is tried on every surface (``python -m bot ask``, Telegram private chat, group
``/ask`` and inline mode); each knowledge case on ``python -m bot check``, ``python -m bot
ask`` (the broken file is skipped with one warning) and Telegram ``/reload`` (refused with the
problem listed).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# --------------------------------------------------------------------------- questions

QUESTIONS: dict[str, str] = {
    "empty": "",
    "spaces-only": " \t \n  ",
    "newlines-only": "\n\n\r\n\r",
    "100k-words": "Vad är ett IOP? " * 6250,
    "100k-one-word": "x" * 100_000,
    "100k-emoji": "🙂" * 100_000,
    "nul-only": "\x00",
    "nul-inside": "Vad är\x00 ett IOP?\x00",
    "control-chars": "\x01\x02\x07\x08\x0b\x0c\x1b[31mVad är IOP?\x1b[0m\x7f",
    "c1-controls": "\x85\x9bVad är IOP?\x9c",
    "rtl-override": "\u202eVad är ett IOP?\u202c",
    "bidi-isolates": "\u2067\u2066IOP\u2069 \u200fvad\u200e är det\u2069",
    "zero-width-only": "\u200b\u200c\u200d\u2060\ufeff",
    "zero-width-inside-words": "I\u200dO\u200cP \u200bidé\u200dburen",
    "soft-hyphens": "re\u00adser\u00adve\u00adrade kon\u00adtrakt",
    "bom-prefix": "\ufeffVad är ett IOP?",
    "emoji-only": "👍🏽🎉🔥",
    "zwj-emoji-family": "👨\u200d👩\u200d👧\u200d👦",
    "flags-and-keycaps": "🇸🇪🇩🇰 #️⃣ 1️⃣",
    "combining-storm": "IOP" + "\u0301" * 2000,
    "zalgo": "V̸̢̛a̴̡͝d̷̨̛ ̶ä̵̧r̶̨̕ ̴I̷O̵P̶",
    "lone-surrogate": "Vad är \ud800 ett IOP? \udfff",
    "noncharacters": "\ufffe\uffff\U0010ffff IOP",
    "private-use": "\ue000\uf8ff\U000f0000",
    "math-alphanumerics": "𝖵𝖺𝖽 ä𝗋 𝖾𝗍𝗍 𝖨𝖮𝖯?",
    "fullwidth": "ＩＯＰ？　ｒｅｓｅｒｖｅｒａｄｅ",
    "cjk-arabic-mix": "これは何ですか 什么是 IOP ما هو",
    "html-injection": "<b>fet</b><script>alert(1)</script><a href='javascript:x'>IOP</a>",
    "html-entities": "&amp; &lt;b&gt; &#0; &#x110000; &nbsp; &bogus; IOP",
    "telegram-tags": "<blockquote><blockquote>IOP</blockquote></blockquote><tg-spoiler>",
    "markdown-injection": "*fet* _kursiv_ [länk](javascript:alert(1)) `kod` ```pre``` IOP",
    "markdown-v2-specials": "\\_*[]()~`>#+-=|{}.! IOP \\",
    "sql-drop": "'; DROP TABLE questions; --",
    "sql-union": "1' OR '1'='1' UNION SELECT question FROM questions --",
    "format-strings": "{0} {question!r} %s %(x)s %n {__class__.__mro__} IOP",
    "path-traversal": "../../../../etc/passwd\\..\\windows IOP",
    "regex-bomb": "(a+)+$ " + "a!" * 2500 + " ((((((((((" * 50,
    "punctuation-only": "?!.,;:-–—…«»„“”''",
    "legal-reference-flood": "§ " * 2000 + "4 kap. 18 § art. 77",
    "long-compound": "civilsamhällesorganisationsupphandlingsreglerutredningen" * 4,
    "digits-only": "0" * 4000,
    "personal-number": "Min son 850709-9805 behöver hjälp, vad gäller?",
    "email-and-phone": "Mejla anna@example.org eller ring 070-123 45 67 om IOP",
    "command-lookalike": "/reload /stats /start@other_bot IOP",
}
"""Hostile or odd questions, by name."""

EMPTY_AFTER_CLEANING = frozenset(
    {"empty", "spaces-only", "newlines-only", "nul-only", "zero-width-only"}
)
"""Cases where nothing is left to ask: the CLI exits 2, Telegram explains how to ask."""


def question_cases() -> list[object]:
    """Return the questions as ``pytest.param``s with readable ids."""
    return [pytest.param(name, text, id=name) for name, text in QUESTIONS.items()]


# --------------------------------------------------------------------------- knowledge files

FRONT = """---
id: {id}
title: "Ett testdokument"
author: "Testredaktionen"
publisher: "Testförlaget"
published: 2024-05-01
language: sv
kind: guide
url: "https://example.org/{id}"
topics: [iop]
---
"""
BODY = "# Rubrik\n\nEtt stycke om samverkan mellan kommun och förening.\n"


def document(doc_id: str, body: str = BODY, **replace: str) -> bytes:
    """Return a valid knowledge document, optionally with some front-matter lines replaced."""
    text = FRONT.format(id=doc_id)
    for old, new in replace.items():
        text = text.replace(old, new)
    return (text + body).encode("utf-8")


@dataclass(frozen=True)
class Link:
    """A symlink to ``target``; ``{outside}`` is a valid document next to the folder."""

    target: str


FIFO = b"<fifo>"
"""File content that makes a named pipe instead of a file."""
LAUGHS = "\n".join(
    [
        'a0: &a0 ["lol"]',
        *(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)),
    ]
)
"""A "billion laughs" YAML bomb: nine levels of nine aliases, 9**9 strings once expanded."""
ISSUE_12 = frozenset(
    {
        "yaml-alias-bomb",
        "billion-laughs-front-matter",
        "billion-laughs-glossary",
        "anchor-in-topics",
        "alias-in-legal-changes",
        "deeply-nested-yaml",
        "symlink-to-dev-zero",
        "glossary-symlink-to-dev-zero",
        "symlink-outside-folder",
        "named-pipe",
        "undecodable-file-name",
        "oversized-file",
        "glossary-id-is-a-list",
        "glossary-nested-lists",
        "glossary-acronyms-nested",
        "topics-id-is-a-list",
        "topics-label-is-a-list",
        "legal-changes-note-nested",
    }
)
"""The hostile files of issue 12 (their outcomes are listed in the hardening figures)."""


@dataclass(frozen=True)
class KnowledgeCase:
    """A broken knowledge folder: files written over a copy of the fixture knowledge.

    Attributes:
        files: File name → bytes (``None`` makes a dangling symlink, ``b"<dir>"`` a folder,
            :data:`FIFO` a named pipe, a :class:`Link` a symlink).
        problem: Expected ``file:line: message`` text (file name relative to the folder).
        whole_folder: The folder itself is unusable (no documents at all).
    """

    files: dict[str, bytes | Link | None] = field(default_factory=dict)
    problem: str = ""
    whole_folder: bool = False
    remove_documents: bool = False
    missing_folder: bool = False
    crashes_core: bool = False
    """The core raises on this case: its CLI tests become strict xfails (none at present)."""


KNOWLEDGE_CASES: dict[str, KnowledgeCase] = {
    "invalid-utf8": KnowledgeCase(
        {"trasig-kodning.md": document("trasig-kodning") + b"Sista rad \xff\n"},
        "trasig-kodning.md:15: not valid UTF-8 text (save the file as UTF-8)",
    ),
    "latin1-file": KnowledgeCase(
        {"latin1.md": document("latin1").decode("utf-8").encode("latin-1", "replace")},
        "latin1.md:5: not valid UTF-8 text",
    ),
    "binary-png": KnowledgeCase(
        {"bild.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
        "bild.md:1: not valid UTF-8 text",
    ),
    "nul-bytes": KnowledgeCase(
        {"nollor.md": b"\x00" * 64}, "nollor.md:1: missing YAML front matter"
    ),
    "empty-file": KnowledgeCase({"tom.md": b""}, "tom.md:1: missing YAML front matter"),
    "missing-front-matter": KnowledgeCase(
        {"utan-front.md": BODY.encode()}, "utan-front.md:1: missing YAML front matter"
    ),
    "unterminated-front-matter": KnowledgeCase(
        {"oavslutad.md": document("oavslutad").replace(b"---\n#", b"#")},
        "oavslutad.md:1: missing YAML front matter",
    ),
    "malformed-yaml": KnowledgeCase(
        {"trasig-yaml.md": document("trasig-yaml", **{'title: "Ett testdokument"': "title: [x"})},
        "trasig-yaml.md:",
    ),
    "front-matter-not-a-mapping": KnowledgeCase(
        {"lista.md": b"---\n- id\n- title\n---\n" + BODY.encode()},
        "lista.md:2: front matter must be a mapping of fields",
    ),
    "python-yaml-tag": KnowledgeCase(
        {"tagg.md": document("tagg", **{"id: tagg": "id: !!python/object/apply:os.system [ls]"})},
        "tagg.md:2: ",  # refused or read as plain data, never run
    ),
    "missing-fields": KnowledgeCase(
        {"falt.md": b"---\nid: falt\ntitle: Bara titel\n---\n" + BODY.encode()},
        "falt.md:1: missing field 'author'",
    ),
    "duplicate-id": KnowledgeCase(
        {"kopia.md": document("iop-guide")},
        "kopia.md:2: id 'iop-guide' differs from the file name 'kopia'",
    ),
    "invalid-id": KnowledgeCase(
        {"Stora Bokstaver.md": document("Stora Bokstaver")},
        "Stora Bokstaver.md:2: id 'Stora Bokstaver' must be lower-case",
    ),
    "empty-body": KnowledgeCase(
        {"tom-text.md": document("tom-text", body="\n   \n")},
        "tom-text.md:12: the document body is empty",
    ),
    "bad-date": KnowledgeCase(
        {"datum.md": document("datum", **{"published: 2024-05-01": "published: 1 maj 2024"})},
        "datum.md:6: published must be an ISO date",
    ),
    "impossible-date": KnowledgeCase(
        {
            "omojligt.md": document(
                "omojligt", **{"published: 2024-05-01": "published: 2024-13-45"}
            )
        },
        "omojligt.md:6: published must be an ISO date",
    ),
    "impossible-time": KnowledgeCase(
        {
            "klocka.md": document(
                "klocka", **{"published: 2024-05-01": "published: 2024-05-01 25:61:00"}
            )
        },
        "klocka.md:6: published must be an ISO date",
    ),
    "huge-integer": KnowledgeCase(
        {
            "stort-tal.md": document(
                "stort-tal", **{"published: 2024-05-01": "published: " + "9" * 5000}
            )
        },
        "stort-tal.md:6: published must be an ISO date",
    ),
    "bad-kind-and-language": KnowledgeCase(
        {
            "sort.md": document(
                "sort", **{"kind: guide": "kind: roman", "language: sv": "language: de"}
            )
        },
        "sort.md:7: language must be one of sv, da, en",
    ),
    "unknown-field": KnowledgeCase(
        {"extra.md": document("extra", **{"kind: guide": "kind: guide\nhemligt: ja"})},
        "extra.md:9: unknown field 'hemligt'",
    ),
    "yaml-alias-bomb": KnowledgeCase(
        {
            "alias.md": document(
                "alias",
                **{
                    "topics: [iop]": "topics: &a [[iop, iop], [iop, iop]]\n"
                    + "\n".join(f"x{n}: &b{n} [*a, *a, *a, *a]" for n in range(3))
                },
            )
        },
        "alias.md:10: unreadable front matter: YAML anchors and aliases (& and *) are not allowed",
    ),
    "billion-laughs-front-matter": KnowledgeCase(
        {"skratt.md": document("skratt", **{"topics: [iop]": "topics: [iop]\n" + LAUGHS})},
        "skratt.md:11: unreadable front matter: YAML anchors and aliases",
    ),
    "billion-laughs-glossary": KnowledgeCase(
        {"glossary.yaml": ("concepts:\n  - id: iop\n    sv: [iop]\n" + LAUGHS).encode()},
        "glossary.yaml:4: unreadable YAML: YAML anchors and aliases",
    ),
    "anchor-in-topics": KnowledgeCase(
        {"topics.yaml": b"topics:\n  - &t\n    id: iop\n"},
        "topics.yaml:2: unreadable YAML: YAML anchors and aliases",
    ),
    "alias-in-legal-changes": KnowledgeCase(
        {
            "legal_changes.yaml": b"changes:\n  - id: x\n    date: 2024-01-01\n"
            b"    terms: &t [iop]\n    note: {sv: Ny lag}\n  - {id: y, terms: *t}\n"
        },
        "legal_changes.yaml:4: unreadable YAML: YAML anchors and aliases",
    ),
    "deeply-nested-yaml": KnowledgeCase(
        {"djup.md": document("djup", **{"topics: [iop]": "topics: " + "[" * 50 + "]" * 50})},
        "djup.md:10: unreadable front matter: YAML nested deeper than 20 levels",
    ),
    "symlink-to-dev-zero": KnowledgeCase(
        {"noll.md": Link("/dev/zero")}, "noll.md:1: links to a file outside the knowledge folder"
    ),
    "glossary-symlink-to-dev-zero": KnowledgeCase(
        {"glossary.yaml": Link("/dev/zero")},
        "glossary.yaml:1: links to a file outside the knowledge folder",
    ),
    "symlink-outside-folder": KnowledgeCase(
        {"utanfor.md": Link("{outside}")},
        "utanfor.md:1: links to a file outside the knowledge folder; not read",
    ),
    "named-pipe": KnowledgeCase(
        {"ror.md": FIFO}, "ror.md:1: not a regular file (a device or a pipe); not read"
    ),
    "undecodable-file-name": KnowledgeCase(
        {os.fsdecode(b"\xff\xfe.md"): document("ff")},
        "\\xff\\xfe.md:1: the file name is not valid UTF-8; rename the file",
    ),
    "oversized-file": KnowledgeCase(
        {"stor.md": document("stor", body="# Rubrik\n\n" + "Ett stycke. " * 500_000)},
        "stor.md:1: the file is larger than 5 MB; not read",
    ),
    "glossary-id-is-a-list": KnowledgeCase(
        {"glossary.yaml": b"concepts:\n  - id: [a, b]\n    sv: [iop]\n"},
        "glossary.yaml:1: concept 1 needs an id (text)",
    ),
    "glossary-nested-lists": KnowledgeCase(
        {"glossary.yaml": b"concepts:\n  - id: iop\n    sv: [[iop, x], y]\n"},
        "glossary.yaml:2: concept 'iop': sv must be a list of words",
    ),
    "glossary-acronyms-nested": KnowledgeCase(
        {"glossary.yaml": b"concepts:\n  - id: iop\n    sv: [iop]\n    acronyms: [[IOP]]\n"},
        "glossary.yaml:2: concept 'iop': acronyms must be a list of text",
    ),
    "topics-id-is-a-list": KnowledgeCase(
        {"topics.yaml": b"topics:\n  - id: [iop, lou]\n    label: {sv: IOP}\n"},
        "topics.yaml:1: topic 1 needs id, label and questions",
    ),
    "topics-label-is-a-list": KnowledgeCase(
        {"topics.yaml": b"topics:\n  - id: iop\n    label: {sv: [IOP, x]}\n    questions: {}\n"},
        "topics.yaml:2: topic 'iop' needs id, label and questions",
    ),
    "legal-changes-note-nested": KnowledgeCase(
        {
            "legal_changes.yaml": b"changes:\n  - id: x\n    date: 2024-01-01\n"
            b"    terms: [iop]\n    note: {sv: [Ny, lag]}\n"
        },
        "legal_changes.yaml:3: change 'x' needs a valid date",
    ),
    "folder-named-md": KnowledgeCase(
        {"mapp.md": b"<dir>"}, "mapp.md:1: cannot read file (Is a directory)"
    ),
    "dangling-symlink": KnowledgeCase(
        {"borta.md": None}, "borta.md:1: cannot read file (No such file or directory)"
    ),
    "broken-glossary": KnowledgeCase(
        {"glossary.yaml": b"concepts:\n  - id: iop\n    sv: [unclosed\n"},
        "glossary.yaml:",
    ),
    "glossary-wrong-shape": KnowledgeCase(
        {"glossary.yaml": b"concepts: 5\n"}, "glossary.yaml:1: expected a 'concepts' list"
    ),
    "topics-wrong-shape": KnowledgeCase(
        {"topics.yaml": b"topics:\n  - just a string\n"},
        "topics.yaml:1: topic 'just a string' needs id, label and questions",
    ),
    "legal-changes-invalid-utf8": KnowledgeCase(
        {"legal_changes.yaml": b'changes:\n  - note: {sv: "\xe5r"}\n'},
        "legal_changes.yaml:2: not valid UTF-8 text",
    ),
    "legal-changes-impossible-date": KnowledgeCase(
        {
            "legal_changes.yaml": b"changes:\n  - id: x\n    date: 2024-02-30\n"
            b"    terms: [iop]\n    note: {sv: Ny lag}\n"
        },
        "legal_changes.yaml:3:",
    ),
    "empty-folder": KnowledgeCase(
        problem=":1: no documents (*.md) in the knowledge folder",
        whole_folder=True,
        remove_documents=True,
    ),
    "missing-folder": KnowledgeCase(
        problem=":1: knowledge folder not found", whole_folder=True, missing_folder=True
    ),
}
"""Broken knowledge folders, by name."""


def build_knowledge(
    case: KnowledgeCase, source: Path, target: Path, *, exist_ok: bool = False
) -> Path:
    """Write the case's folder at ``target`` from a copy of ``source``; return its path.

    With ``exist_ok`` the case's files are added to an existing folder instead.
    """
    if case.missing_folder:
        return target
    if not (exist_ok and target.is_dir()):
        shutil.copytree(source, target)
    if case.remove_documents:
        for path in target.glob("*.md"):
            path.unlink()
    for name, content in case.files.items():
        path = target / name
        if path.exists() or path.is_symlink():
            path.unlink()
        if content is None:
            path.symlink_to(target / "does-not-exist.md")
        elif isinstance(content, Link):
            outside = target.parent / "outside.md"
            if not outside.exists():
                outside.write_bytes(document("outside"))
            path.symlink_to(content.target.replace("{outside}", str(outside)))
        elif content == b"<dir>":
            path.mkdir()
        elif content == FIFO:
            os.mkfifo(path)
        else:
            path.write_bytes(content)
    return target


def knowledge_cases() -> list[object]:
    """Return the knowledge cases as ``pytest.param``s with readable ids."""
    return [pytest.param(name, case, id=name) for name, case in KNOWLEDGE_CASES.items()]


def docx_bomb(path: Path, megabytes: int = 210) -> Path:
    """Write a DOCX-named ZIP whose document unpacks to ``megabytes`` MB of zeros (~200 kB)."""
    import zipfile

    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(zeros)
    return path
