from pathlib import Path

import yaml

from bot.knowledge.load import load_knowledge, parse_document


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


VALID = """---
id: {id}
title: "T"
author: ""
publisher: ""
published: 2020-01-02
language: sv
kind: guide
url: ""
topics: [iop]
---
Text om IOP.
"""


def test_fixture_knowledge_loads_without_problems(fixture_knowledge):
    knowledge = load_knowledge(fixture_knowledge)
    assert [d.id for d in knowledge.documents] == ["iop-guide", "reserverat-2018", "samskabelse"]
    assert knowledge.problems == ()


def test_bundled_knowledge_has_no_problems():
    knowledge = load_knowledge(Path(__file__).resolve().parents[2] / "knowledge")
    assert [str(p) for p in knowledge.problems] == []


def test_year_only_publication_date_is_kept_as_written(fixture_knowledge):
    knowledge = load_knowledge(fixture_knowledge)
    assert {d.id: d.published for d in knowledge.documents}["samskabelse"] == "2017"


def test_missing_front_matter_is_reported_with_file_and_line(tmp_path):
    path = write(tmp_path, "x.md", "Bara text\n")
    document, problems = parse_document(path, path.read_text())
    assert document is None
    assert [str(p) for p in problems] == [
        f"{path}:1: missing YAML front matter (the file must start with ---)"
    ]


def test_unreadable_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "bad.md", "---\nid: bad\ntitle: [unclosed\n---\nText\n")
    _, problems = parse_document(path, path.read_text())
    assert problems[0].line >= 3
    assert "unreadable front matter" in problems[0].message


def test_schema_errors_are_all_reported(tmp_path):
    text = (
        VALID.format(id="wrong-id")
        .replace("language: sv", "language: de")
        .replace("published: 2020-01-02", "published: 2. mars 2018")
    )
    path = write(tmp_path, "doc.md", text)
    _, problems = parse_document(path, text)
    messages = sorted(p.message for p in problems)
    assert messages == [
        "id 'wrong-id' differs from the file name 'doc'",
        "language must be one of sv, da, en",
        "published must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)",
    ]


def test_empty_body_is_a_problem(tmp_path):
    text = VALID.format(id="empty").replace("Text om IOP.\n", "\n")
    path = write(tmp_path, "empty.md", text)
    _, problems = parse_document(path, text)
    assert [p.message for p in problems] == ["the document body is empty"]


def test_duplicate_ids_and_non_utf8_files_are_skipped_and_reported(tmp_path):
    write(tmp_path, "a.md", VALID.format(id="a"))
    write(tmp_path, "b.md", VALID.format(id="a"))
    (tmp_path / "c.md").write_bytes(VALID.format(id="c").encode("utf-8") + "\nö".encode("latin-1"))
    knowledge = load_knowledge(tmp_path)
    assert [d.id for d in knowledge.documents] == ["a"]
    assert sorted((Path(p.path).name, p.message) for p in knowledge.problems) == [
        ("b.md", "id 'a' differs from the file name 'b'"),
        ("c.md", "not valid UTF-8 text (save the file as UTF-8)"),
    ]


def test_missing_folder_is_a_problem_not_an_exception(tmp_path):
    knowledge = load_knowledge(tmp_path / "nowhere")
    assert [p.message for p in knowledge.problems] == ["knowledge folder not found"]


def test_glossary_acronyms_are_not_added_to_excluded_languages(fixture_knowledge):
    concepts = {c.id: c for c in load_knowledge(fixture_knowledge).concepts}
    assert "LOV" in concepts["lov"].terms["sv"]
    assert concepts["lov"].terms["da"] == ()


def test_short_title_is_optional_and_checked_for_length(tmp_path):
    short = VALID.format(id="kort").replace('title: "T"', 'title: "T"\nshort_title: "Kort titel"')
    path = write(tmp_path, "kort.md", short)
    document, problems = parse_document(path, path.read_text())
    assert (document.short_title if document else None, problems) == ("Kort titel", [])
    long = VALID.format(id="lang").replace('title: "T"', f'title: "T"\nshort_title: "{"x" * 31}"')
    path = write(tmp_path, "lang.md", long)
    document, problems = parse_document(path, path.read_text())
    assert document is None
    assert [str(p) for p in problems] == [
        f"{path}:4: short_title has 31 characters; at most 30 fit one phone line"
    ]


def test_every_bundled_document_has_a_short_title_and_every_topic_a_short_label():
    knowledge = load_knowledge(Path(__file__).resolve().parents[2] / "knowledge")
    assert [d.id for d in knowledge.documents if not d.short_title] == []
    for topic in knowledge.topics:
        assert set(topic.shorts) == {"sv", "da", "en"}, topic.id
        assert all(len(label) <= 30 for label in topic.shorts.values())
    assert [c.id for c in knowledge.changes if set(c.short) != {"sv", "da", "en"}] == []


def test_overlong_short_labels_and_notes_are_reported(tmp_path):
    write(tmp_path, "a.md", VALID.format(id="a"))
    write(
        tmp_path,
        "topics.yaml",
        "topics:\n  - id: iop\n    short: {sv: '" + "x" * 31 + "'}\n    label: {sv: IOP}\n"
        "    questions: {sv: ['Vad är IOP?']}\n",
    )
    write(
        tmp_path,
        "legal_changes.yaml",
        "changes:\n  - id: c\n    date: 2023-01-01\n    terms: [IOP]\n    see: a\n"
        "    short: {sv: '" + "y" * 91 + "'}\n    note: {sv: Ändrat.}\n",
    )
    knowledge = load_knowledge(tmp_path)
    messages = [p.message for p in knowledge.problems]
    assert any("short must be text per language" in m and "at most 30" in m for m in messages)
    assert any("short note of at most 90 characters" in m for m in messages)
    assert knowledge.topics[0].shorts == {}
    assert knowledge.changes == ()


def test_no_glossary_term_names_two_concepts_in_one_language():
    # Acronyms are exempt by design: KL is kommunallagen in Swedish, KL in Danish.
    glossary = Path(__file__).resolve().parents[2] / "knowledge" / "glossary.yaml"
    owners: dict[tuple[str, str], set[str]] = {}
    for concept in yaml.safe_load(glossary.read_text("utf-8"))["concepts"]:
        for language in ("sv", "da", "en"):
            for term in concept.get(language) or ():
                owners.setdefault((language, str(term).casefold()), set()).add(concept["id"])
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert shared == {}
