"""The stored corpus: opened lazily, checked cheaply, updated incrementally like a rebuild."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import load_knowledge
from bot.search.corpus import build_corpus, load_corpus, stored_corpus
from bot.search.stored import StoredVersion
from bot.search.update import refresh, stored_knowledge
from bot.search.words import WordTable
from bot.service import QAService

REPO = Path(__file__).resolve().parents[2]


def assert_same_version(actual: StoredVersion, expected: StoredVersion) -> None:
    """Everything a version holds is equal, array for array (segments may differ)."""
    for name, array in expected.index.arrays().items():
        assert np.array_equal(actual.index.arrays()[name], array), name
    assert actual.index.facts() == expected.index.facts()
    assert np.array_equal(actual.flags, expected.flags)
    assert dict(actual.folded) == dict(expected.folded)
    assert actual.rarity() == expected.rarity()
    assert actual.files() == expected.files()
    assert actual.knowledge() == expected.knowledge()
    assert actual.languages == expected.languages
    assert actual.version == expected.version
    mine, theirs = actual.words(), expected.words()
    assert mine.keys.to_list() == theirs.keys.to_list()
    assert mine.stems.to_list() == theirs.stems.to_list()
    for name in ("counts", "zipf", "refs"):
        assert getattr(mine, name).tolist() == getattr(theirs, name).tolist(), name
    left, right = stored_corpus(actual), stored_corpus(expected)
    assert list(left.passages) == list(right.passages)
    assert list(left.documents.items()) == list(right.documents.items())
    assert left.law_positions() == right.law_positions()
    assert left.referring_positions() == right.referring_positions()


def rebuilt(directory: Path, cache: Path) -> StoredVersion:
    return refresh(directory, cache, full=True).stored


@pytest.fixture(autouse=True)
def always_incremental(monkeypatch):
    """The fixture folders are tiny: any edit would otherwise exceed the rebuild threshold."""
    monkeypatch.setattr("bot.search.incremental.MAX_CHANGED_SHARE", 1.0)


@pytest.fixture
def folder(tmp_path: Path, fixture_knowledge: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(fixture_knowledge, target)
    return target


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # A write within the file system's time resolution must still be noticed.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def document(doc_id: str, body: str, language: str = "sv") -> str:
    return (
        f"---\nid: {doc_id}\ntitle: {doc_id}\nauthor: A\npublisher: P\npublished: 2024-01-01\n"
        f"language: {language}\nkind: news\nurl: https://example.org\ntopics: [iop]\n---\n\n"
        f"{body}\n"
    )


def test_an_unchanged_folder_reuses_its_version(folder, tmp_path):
    cache = tmp_path / "cache"
    first = refresh(folder, cache)
    again = refresh(folder, cache)

    assert (first.how, again.how) == ("full", "unchanged")
    assert again.stored.directory == first.stored.directory


def test_a_stored_corpus_equals_one_built_in_memory(tmp_path):
    knowledge, corpus = load_corpus(REPO / "knowledge", tmp_path / "cache")
    memory = build_corpus(load_knowledge(REPO / "knowledge"))

    assert list(corpus.passages) == list(memory.passages)
    assert dict(corpus.documents) == memory.documents
    for name, array in memory.index.arrays().items():
        assert np.array_equal(corpus.index.arrays()[name], array), name
    assert corpus.rarity == memory.rarity
    assert corpus.everyday == memory.everyday
    assert sorted(corpus.analyzer.lexicon) == sorted(memory.analyzer.lexicon)
    assert corpus.languages == memory.languages
    assert corpus.law_positions() == memory.law_positions() != []
    assert corpus.referring_positions() == memory.referring_positions() != []
    assert corpus.by_document()["art-torp-samskabelse-2017"] == [
        memory.passages[p] for p in memory.document_positions("art-torp-samskabelse-2017")
    ]
    assert list(knowledge.documents) == list(load_knowledge(REPO / "knowledge").documents)


def test_stored_and_in_memory_services_answer_alike(tmp_path):
    stored = QAService.open(REPO / "knowledge", tmp_path / "cache")
    memory = QAService.open(REPO / "knowledge")

    for question in ("Hur startar vi ett IOP?", "Hvad er samskabelse?", "reserved contracts"):
        assert stored.ask(question) == memory.ask(question)
    passage = memory.corpus.passages[7]
    assert stored.passage(passage.id) == passage
    assert stored.passage(passage.id + "0") is None
    assert stored.passage("nothing#1") is None


@pytest.mark.parametrize(
    "change",
    ["edit", "append", "add", "remove", "break", "new-topic", "glossary", "rename"],
)
def test_an_incremental_update_equals_a_rebuild(folder, tmp_path, change):
    cache = tmp_path / "cache"
    refresh(folder, cache)
    target = folder / "samskabelse.md"
    if change == "edit":
        text = target.read_text(encoding="utf-8")
        write(target, text.replace("frivillige", "frivilliga fritidsforeningers", 1))
    elif change == "append":
        write(target, target.read_text(encoding="utf-8") + "\nEn helt ny mening om kvarnhjul.\n")
    elif change == "add":
        write(folder / "ny-artikel.md", document("ny-artikel", "Kvarnhjulen i kommunen. " * 9))
    elif change == "remove":
        target.unlink()
    elif change == "break":
        write(target, "---\nid: [\n---\ntext\n")
    elif change == "new-topic":
        write(folder / "ny.md", document("ny", "Text om IOP.").replace("[iop]", "[okänd]"))
    elif change == "glossary":
        glossary = folder / "glossary.yaml"
        write(glossary, glossary.read_text(encoding="utf-8") + "\n")
    else:
        target.rename(folder / "samskabelse-2.md")

    updated = refresh(folder, cache)

    assert updated.how == "incremental"
    assert_same_version(updated.stored, rebuilt(folder, tmp_path / "rebuilt"))


def test_an_update_after_a_build_with_workers_rates_new_words_from_the_stored_table(
    folder, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOT_INDEX_WORKERS", "2")
    cache = tmp_path / "cache"
    first = refresh(folder, cache)
    target = folder / "samskabelse.md"
    text = target.read_text(encoding="utf-8")
    write(target, text.replace("frivillige", "cykelbanorna kvarnhjulsxy", 1))

    updated = refresh(folder, cache)

    assert (first.how, updated.how) == ("full", "incremental")
    assert (updated.stored.directory / "everyday" / "zipf.npy").is_file()
    monkeypatch.setenv("BOT_INDEX_WORKERS", "1")
    assert_same_version(updated.stored, rebuilt(folder, tmp_path / "rebuilt"))


def test_a_new_word_that_splits_compounds_elsewhere_updates_those_passages(tmp_path):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    body = "Civilsamhällesutredningen föreslår nya regler för civilsamhället. " * 5
    write(folder / "a.md", document("a", body))
    write(folder / "b.md", document("b", "Kommunen och föreningarna samverkar. " * 5))
    cache = tmp_path / "cache"
    first = refresh(folder, cache).stored
    assert "utredning" not in first.index

    write(folder / "b.md", document("b", "Utredningen om kommunen kom i går. " * 5))
    updated = refresh(folder, cache).stored

    assert "utredning" in updated.index
    docs, _ = updated.index.postings_of("utredning")
    passages = stored_corpus(updated).passages
    assert {passages[int(p)].doc_id for p in docs} == {"a", "b"}
    assert_same_version(updated, rebuilt(folder, tmp_path / "rebuilt"))


def test_a_sequence_of_updates_stays_equal_to_rebuilds(folder, tmp_path):
    cache = tmp_path / "cache"
    refresh(folder, cache)
    target = folder / "samskabelse.md"
    for round_ in range(4):
        write(target, target.read_text(encoding="utf-8") + f"\nTillägg {round_} om bygdegårdar.\n")
        updated = refresh(folder, cache)
        assert updated.how == "incremental"
    assert_same_version(updated.stored, rebuilt(folder, tmp_path / "rebuilt"))
    assert len(updated.stored.segments) == 5
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 3


def test_a_file_changed_again_within_its_time_resolution_is_still_noticed(folder, tmp_path):
    cache = tmp_path / "cache"
    target = folder / "samskabelse.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")  # just written: its time cannot be trusted yet
    first = refresh(folder, cache).stored
    stat = target.stat()
    swapped = text.replace("frivillige", "FRIVILLIGE", 1)
    assert len(swapped.encode()) == len(text.encode())

    target.write_text(swapped, encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    assert refresh(folder, cache).stored.version != first.version


def test_an_old_file_is_not_read_again_when_its_size_and_time_are_unchanged(
    folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    refresh(folder, cache)
    hashed: list[Path] = []
    original = Path.read_bytes

    def spy(path: Path) -> bytes:
        hashed.append(path)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    again = refresh(folder, cache)

    assert again.how == "unchanged"
    assert hashed == []


def test_a_corrupt_version_is_rebuilt(folder, tmp_path):
    cache = tmp_path / "cache"
    first = refresh(folder, cache).stored
    (first.directory / "bm25" / "doc_ids.npy").write_bytes(b"garbage")

    service = QAService.open(folder, cache)

    assert service.ask("Vad är samskabelse?").results


def test_the_stored_knowledge_lists_documents_in_folder_order(folder, tmp_path):
    knowledge = stored_knowledge(refresh(folder, tmp_path / "cache").stored)

    assert list(knowledge.documents) == list(load_knowledge(folder).documents)
    assert knowledge.problems == load_knowledge(folder).problems


def test_word_table_update_matches_counting_again(tmp_path):
    from bot.search.analysis import Analyzer
    from bot.search.index.strings import SortedStrings
    from bot.search.words import key

    table = WordTable(
        SortedStrings.from_sorted([key("sv", w) for w in ("bil", "hus", "kommunerna")]),
        np.array([2, 1, 3]),
        np.array([4.5, 5.0, 3.2]),
        SortedStrings.from_sorted(["kommun"]),
        np.array([1]),
    )

    change = table.updated({key("sv", "hus"): -1, key("sv", "samverkan"): 2}, Analyzer())

    assert change.table.keys.to_list() == [
        key("sv", w) for w in ("bil", "kommunerna", "samverkan")
    ]
    assert change.table.counts.tolist() == [2, 3, 2]
    stem = Analyzer().stem("samverkan", "sv")
    assert change.table.stems.to_list() == ["kommun", stem]
    assert change.added == {stem}
    assert change.removed == frozenset()


def test_the_scan_lists_the_files_the_loader_reads(folder):
    from bot.knowledge.manifest import knowledge_paths, scan

    (folder / "_draft.md").write_text("x", encoding="utf-8")
    (folder / ".hidden.md").write_text("x", encoding="utf-8")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "Zeta.md").write_text("x", encoding="utf-8")

    assert [s.name for s in scan(folder).files] == [p.name for p in knowledge_paths(folder)]


def test_stored_folded_spellings_equal_folding_the_vocabulary(tmp_path):
    from bot.search.analysis import folded_variants

    stored = refresh(REPO / "knowledge", tmp_path / "cache").stored

    assert dict(stored.folded) == folded_variants(list(stored.index.vocabulary))
    assert stored.folded.get("overenskomm") == ("överenskomm",)


def test_workers_that_cannot_start_fall_back_to_one_process(folder, tmp_path):
    import subprocess
    import sys

    # No `if __name__ == "__main__"`: each spawned worker would run the script again.
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from bot.search.update import refresh\n"
        f"print(refresh(Path({str(folder)!r}), Path({str(tmp_path / 'cache')!r})).how)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "BOT_INDEX_WORKERS": "2"}

    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "full"
    assert "building in one process" in done.stderr


def test_the_stored_lexicon_splits_compounds_as_the_built_one(tmp_path):
    _, corpus = load_corpus(REPO / "knowledge", tmp_path / "cache")
    memory = build_corpus(load_knowledge(REPO / "knowledge"))
    words = sorted(memory.analyzer.lexicon)[:300]
    compounds = [a + b for a, b in zip(words, reversed(words), strict=True)]

    assert corpus.analyzer.lexicon.part_starts(4)
    for passage in memory.passages:
        assert corpus.analyzer.terms(passage.text, "sv") == memory.analyzer.terms(
            passage.text, "sv"
        )
    for word in compounds:
        for language in ("sv", "da", "en"):
            assert corpus.analyzer.word_terms(word, language) == memory.analyzer.word_terms(
                word, language
            )


def test_a_file_too_new_to_trust_is_hashed_once_more_and_then_trusted(
    folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    target = folder / "samskabelse.md"
    target.write_text(target.read_text(encoding="utf-8"), encoding="utf-8")  # just written
    refresh(folder, cache)
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60_000_000_000))
    assert refresh(folder, cache).how == "unchanged"  # hashed again, its time now recorded
    hashed: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: hashed.append(path) or original(path))

    assert refresh(folder, cache).how == "unchanged"
    assert hashed == []


@pytest.mark.parametrize("seed", range(4))
def test_updated_folded_spellings_equal_folding_the_new_terms(seed):
    import random

    from bot.search.folded import FoldedTerms
    from bot.search.index.strings import SortedStrings

    rng = random.Random(seed)
    letters = "aeoåäöæøé"
    old = sorted({"".join(rng.choices(letters, k=rng.randint(1, 4))) for _ in range(150)})
    kept = [t for t in old if rng.random() > 0.2]
    new = sorted(
        set(kept) | {"".join(rng.choices(letters, k=rng.randint(1, 4))) for _ in range(40)}
    )
    old_terms, new_terms = SortedStrings.from_sorted(old), SortedStrings.from_sorted(new)
    term_map = np.array([new.index(t) if t in set(new) else -1 for t in old], dtype=np.int64)

    updated = FoldedTerms.build(old_terms).updated(new_terms, term_map)

    assert dict(updated) == dict(FoldedTerms.build(new_terms))
