"""A synthetic knowledge folder for the end-to-end benchmark: Markdown files with front matter.

The text is Swedish-like (and 15% Danish-like) so that every stage of the real pipeline has
realistic work: the words of ``knowledge/*.md`` form the frequent head of a Zipf distribution,
generated syllable words with Swedish inflections the long tail, 40% of the tokens are
stopwords, and some tokens are compounds ("föreningsstöd"), hyphenated words ("IOP-avtal"),
numbers or legal references ("4 kap. 18 §"). Every paragraph has 55-130 words, so
:func:`bot.knowledge.split_passages` makes exactly one passage of it; a file holds
:data:`PASSAGES_PER_FILE` paragraphs. The glossary, topics and legal changes are copied from
the bundled knowledge, so glossary expansion and legal notes run as in production.

Everything is seeded: the same size gives byte-identical files.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.bench.corpus import KNOWLEDGE_DIR, vocabulary

SEED = 20_261_126
PASSAGES_PER_FILE = 10
CONTENT_WORDS = 1_500_000
"""Distinct content words before inflection: enough for a vocabulary that keeps growing."""
ZIPF_EXPONENT = 1.3
"""With 55-60% content tokens: ~60k distinct words at 10k passages, ~300k at 100k."""
ZIPF_OFFSET = 2.7
STOPWORD_SHARE = 0.4
COMPOUND_SHARE = 0.02
DANISH_SHARE = 0.15
SUFFIXES = ("en", "er", "erna", "et", "ar", "arna", "ande", "ade", "s", "or", "ens")
FORMS = (0.6, 0.85, 1.0)
"""Each word has three forms: bare (60%), and two suffixes of its own (25%, 15%)."""
SV_STOPWORDS = (
    "och att det i som en på är av för med till den har de inte om ett han men var jag sig "
    "från vi så kan man när år säger hon under också efter eller nu sin där vid mot ska skulle "
    "kommer ut får finns vara hade alla andra mycket än här då sedan över bara in blir upp även "
    "vad ha mer kunde sina"
).split()
DA_STOPWORDS = (
    "og i at det er en til på af de med den for ikke der som har et om men var vi fra så kan "
    "man når også efter eller nu sin ved mod skal vil kommer ud får findes være havde alle "
    "andre meget end her da over bare ind bliver op"
).split()
KINDS = ("guide", "news", "report", "opinion", "agreement")
DATA_FILES = ("glossary.yaml", "topics.yaml", "legal_changes.yaml")
TOPICS = ("iop", "reserved", "agreements", "denmark", "civil-society", "approach")


@dataclass(frozen=True)
class Folder:
    """What :func:`write_folder` produced."""

    directory: Path
    files: int
    passages: int
    words: int


SYLLABLES = (0.3, 0.8, 0.97, 1.0)
"""Cumulative shares of generated words with 1, 2, 3 and 4 syllables."""


def word_list(size: int, seed: int = SEED) -> list[str]:
    """Return ``size`` distinct words: the bundled knowledge's words, then generated ones.

    Generated words have 1-4 syllables (1.9 on average), so that the distinct words of a
    folder are about as long as real Swedish ones (9 letters, half of them 8 or more).
    """
    _, source = vocabulary(1)
    n_real = int(source.split()[0])
    words, _ = vocabulary(n_real)
    words = words[:size]
    seen = set(words)
    rng = np.random.default_rng([seed, 3])
    onsets = ["", "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
              "sk", "st", "sp", "tr", "kr", "fr", "gr", "bl", "fl", "sj", "tj"]  # fmt: skip
    vowels = ["a", "e", "i", "o", "u", "y", "å", "ä", "ö", "ie", "ei"]
    codas = ["", "", "n", "r", "l", "s", "t", "k", "m", "ng", "nd", "rt", "st", "ll"]
    syllables = np.array([o + v + c for o in onsets for v in vowels for c in codas])
    empty = np.array([""])
    while len(words) < size:
        picks = rng.integers(len(syllables), size=(4, 65_536))
        counts = np.searchsorted(SYLLABLES, rng.random(65_536), side="right") + 1
        batch = syllables[picks[0]]
        for column in range(1, 4):
            batch = np.char.add(batch, np.where(counts > column, syllables[picks[column]], empty))
        for word in batch.tolist():
            if len(word) > 1 and word not in seen and len(words) < size:
                seen.add(word)
                words.append(word)
    return words


class Generator:
    """Draws Swedish-like words and sentences from a seeded random generator.

    Args:
        seed: Seed of the word list and every draw.
    """

    def __init__(self, seed: int = SEED) -> None:
        words = word_list(CONTENT_WORDS, seed)
        self.words = words
        ranks = np.arange(len(words), dtype=np.float64)
        weights = (ranks + 1 + ZIPF_OFFSET) ** -ZIPF_EXPONENT
        self.cdf = np.cumsum(weights)
        self.cdf /= self.cdf[-1]
        self.seed = seed

    def rng(self, *key: int) -> np.random.Generator:
        """Return the generator for one file (or question), independent of all others."""
        return np.random.default_rng([self.seed, *key])

    def tokens(self, rng: np.random.Generator, count: int, danish: bool) -> list[str]:
        """Return ``count`` word tokens: stopwords, inflected content words, compounds, numbers."""
        stopwords = DA_STOPWORDS if danish else SV_STOPWORDS
        n_words = len(self.words)
        kinds = rng.random(count).tolist()
        ranks = np.minimum(np.searchsorted(self.cdf, rng.random(count), side="right"), n_words - 1)
        heads = rng.integers(50, 30_000, size=count).tolist()
        links = (rng.random(count) < 0.4).tolist()
        compound = (rng.random(count) < COMPOUND_SHARE).tolist()
        forms = np.searchsorted(FORMS, rng.random(count), side="right").tolist()
        picks = rng.integers(len(stopwords), size=count).tolist()
        numbers = rng.integers(1, 2027, size=count).tolist()
        words = self.words
        out: list[str] = []
        for i, (kind, rank) in enumerate(zip(kinds, ranks.tolist(), strict=True)):
            if kind < STOPWORD_SHARE:
                out.append(stopwords[picks[i]])
                continue
            word = words[rank]
            if compound[i]:
                word = f"{words[heads[i]]}{'s' if links[i] else ''}{word}"
            if forms[i]:
                word += SUFFIXES[(rank * 7 + forms[i]) % len(SUFFIXES)]
            if kind < 0.985:
                out.append(word)
            elif kind < 0.99:
                out.append(str(numbers[i]))
            elif kind < 0.9985:
                out.append(f"{words[heads[i]].upper()[:3]}-{word}")
            else:
                out.append(f"{numbers[i] % 20 + 1} kap. {numbers[i] % 40 + 1} §")
        return out

    def content_words(self, rng: np.random.Generator, count: int) -> list[str]:
        """Return ``count`` content words (no stopwords)."""
        ranks = np.minimum(
            np.searchsorted(self.cdf, rng.random(count), side="right"), len(self.words) - 1
        )
        return [self.words[rank] for rank in ranks.tolist()]

    def paragraphs(self, rng: np.random.Generator, count: int, danish: bool) -> list[str]:
        """Return ``count`` paragraphs of 55-130 words of 6-18-word sentences."""
        targets = rng.integers(55, 131, size=count).tolist()
        tokens = self.tokens(rng, sum(targets) + 18 * count, danish)
        lengths = rng.integers(6, 19, size=len(tokens)).tolist()
        questions = (rng.random(len(tokens)) < 0.05).tolist()
        paragraphs = []
        cursor = 0
        sentence = 0
        for target in targets:
            sentences = []
            words = 0
            while words < target:
                length = lengths[sentence]
                text = " ".join(tokens[cursor : cursor + length])
                cursor += length
                end = "?" if questions[sentence] else "."
                sentence += 1
                sentences.append(text[:1].upper() + text[1:] + end)
                words += len(text.split())
            paragraphs.append(" ".join(sentences))
        return paragraphs

    def document(self, number: int, passages: int) -> str:
        """Return the Markdown file of document ``number`` with ``passages`` paragraphs."""
        rng = self.rng(number)
        danish = bool(rng.random() < DANISH_SHARE)
        names = self.content_words(rng, 6 + passages)
        title = " ".join(names[:4]).capitalize()
        author = f"{names[4].capitalize()} {names[5].capitalize()}"
        year = int(rng.integers(2005, 2027))
        topics = sorted({TOPICS[int(i)] for i in rng.integers(len(TOPICS), size=2)})
        lines = [
            "---",
            f"id: doc-{number:07d}",
            f'title: "{title}"',
            f'author: "{author}"',
            'publisher: "Syntetiska förlaget"',
            f"published: {year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
            f"language: {'da' if danish else 'sv'}",
            f"kind: {KINDS[int(rng.integers(len(KINDS)))]}",
            f'url: "https://example.org/doc-{number:07d}"',
            f"topics: [{', '.join(topics)}]",
            "---",
            "",
            f"# {title}",
            "",
        ]
        for index, paragraph in enumerate(self.paragraphs(rng, passages, danish)):
            if index % 3 == 0:
                lines += [f"## {names[6 + index].capitalize()} och {names[6 + index - 1]}", ""]
            lines += [paragraph, ""]
        return "\n".join(lines)

    def question(self, number: int) -> str:
        """Return a question made of a few content words, as users ask about a topic."""
        rng = self.rng(1, number, 1)
        words = self.content_words(rng, int(rng.integers(2, 5)))
        return f"Vad gäller för {' '.join(words[:-1])} och {words[-1]}?"


def write_folder(directory: Path, passages: int, generator: Generator | None = None) -> Folder:
    """Write a synthetic knowledge folder of ``passages`` passages (replacing ``directory``).

    Args:
        directory: The folder to create; an existing one is removed first.
        passages: Number of passages (``PASSAGES_PER_FILE`` per file).
        generator: The word generator (made once; it takes a few seconds).

    Returns:
        What was written.
    """
    generator = generator or Generator()
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for name in DATA_FILES:
        source = KNOWLEDGE_DIR / name
        if source.is_file():
            shutil.copyfile(source, directory / name)
    files = math.ceil(passages / PASSAGES_PER_FILE)
    words = 0
    for number in range(files):
        count = min(PASSAGES_PER_FILE, passages - number * PASSAGES_PER_FILE)
        text = generator.document(number, count)
        words += len(text.split())
        (directory / f"doc-{number:07d}.md").write_text(text, encoding="utf-8")
    return Folder(directory, files, passages, words)


def edit_one_file(directory: Path, number: int, generator: Generator | None = None) -> Path:
    """Rewrite one paragraph of one document, with a word no other file contains.

    Args:
        directory: A folder made by :func:`write_folder`.
        number: The document to edit.
        generator: The word generator.

    Returns:
        The edited file.
    """
    generator = generator or Generator()
    path = directory / f"doc-{number:07d}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    rng = generator.rng(2, number, 2)
    paragraphs = [i for i, line in enumerate(lines) if len(line.split()) > 40]
    target = paragraphs[len(paragraphs) // 2]
    fresh = f"Nyordet samverkansexperimentet{number} beskrivs här."
    lines[target] = f"{generator.paragraphs(rng, 1, danish=False)[0]} {fresh}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
