"""Turn a PDF, DOCX, HTML or TXT file into a knowledge document for an editor to finish.

Only what the file itself states goes into the front matter: title, author and date from its
metadata, the language guessed from its words. Everything else (kind, url, topics, publisher)
is left empty for the editor. The body keeps the file's exact words; only layout is undone
(page headers and numbers, line-end hyphens, hard line breaks inside paragraphs).

Usage from the command line: ``python -m bot import FILE [--id ID] [--force]``.

Modules, one job each:

* :mod:`~.common`: the document type, the error and shared text clean-up.
* :mod:`~.dispatch`: :func:`extract`, which checks a file and picks a reader.
* :mod:`~.pdf`, :mod:`~.word`, :mod:`~.web` and
  :mod:`~.plain`: one reader per format.
* :mod:`~.finish`: title, id (:func:`slugify`) and language
  (:func:`guess_language`).
* :mod:`~.markdown`: :func:`to_markdown` and :func:`import_file`.

The format readers load their third-party packages only when called, so importing this
package needs none of them.
"""

from __future__ import annotations

from bot.knowledge.importers.common import KINDS, MAX_BYTES, ImportedDocument, ImportFailed
from bot.knowledge.importers.dispatch import extract
from bot.knowledge.importers.finish import guess_language, slugify
from bot.knowledge.importers.markdown import import_file, to_markdown

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "ImportFailed",
    "ImportedDocument",
    "extract",
    "guess_language",
    "import_file",
    "slugify",
    "to_markdown",
]
