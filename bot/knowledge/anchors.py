"""Stable references between passages: ``<doc-id>#<anchor>``.

A guide paragraph names what backs it in its ``<!-- sources: … -->`` comment. Besides URLs
that comment may name passages of the knowledge base itself: a law section the paragraph
explains (``sfs-2016-1145-lou#19-kap-25-a-lou``) or an article it retells
(``art-soderberg-dialog-2018#3``). The anchor is either the slug of a heading (stable while
the heading stays; every law section has its own heading) or a passage number (fine for
verbatim articles, whose text never changes). ``check`` reports a reference that does not
resolve.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from bot.models import Passage

_REFERENCE = re.compile(r"^([a-z0-9][a-z0-9-]*)#([a-z0-9][a-z0-9-]*)$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def is_reference(token: str) -> bool:
    """Return True when ``token`` names a knowledge passage rather than a URL."""
    return bool(_REFERENCE.match(token))


def slug(heading: str) -> str:
    """Return the anchor of a heading: lower case, accents dropped, other runs as "-".

    "19 kap. 25 a § LOU" → "19-kap-25-a-lou"; "Servicelovens § 18" → "servicelovens-18".
    """
    text = unicodedata.normalize("NFKD", heading.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_WORD.sub("-", text).strip("-")


def resolve(reference: str, passages: Mapping[str, Sequence[Passage]]) -> Passage | None:
    """Find the passage a reference names.

    Args:
        reference: ``<doc-id>#<heading-slug>`` or ``<doc-id>#<passage-number>``.
        passages: Each document's passages, by document id.

    Returns:
        The passage (the first under the heading), or None when nothing matches.
    """
    match = _REFERENCE.match(reference)
    if not match:
        return None
    doc_id, anchor = match.groups()
    candidates = passages.get(doc_id, ())
    if anchor.isdigit():
        return next((p for p in candidates if p.number == int(anchor)), None)
    return next((p for p in candidates if slug(p.heading) == anchor), None)


def heading_slug(heading: str) -> str:
    """Return a heading as an anchor (the same as :func:`slug`)."""
    return slug(heading)


def resolve_anchor(passages: Sequence[Passage], anchor: str) -> Passage | None:
    """Find the passage a glossary anchor names.

    ``<doc-id>#<heading-slug>`` names the first passage under that heading and
    ``<doc-id>: <phrase>`` the passage containing the phrase; both stay right when paragraphs
    are added or removed elsewhere in the document. ``<doc-id>#<n>`` works too.

    Args:
        passages: All passages.
        anchor: The anchor.

    Returns:
        The passage, or None when the anchor does not resolve.
    """
    if ": " in anchor and "#" not in anchor.partition(": ")[0]:
        doc_id, _, phrase = anchor.partition(": ")
        wanted = phrase.strip().casefold()
        return next(
            (p for p in passages if p.doc_id == doc_id and wanted in p.text.casefold()), None
        )
    doc_id = anchor.partition("#")[0]
    return resolve(anchor, {doc_id: [p for p in passages if p.doc_id == doc_id]})
