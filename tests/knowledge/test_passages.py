from bot.knowledge.load import load_knowledge
from bot.knowledge.passages import MAX_WORDS, split_passages


def documents(folder):
    return {d.id: d for d in load_knowledge(folder).documents}


def test_passages_have_stable_ids_and_keep_headings(fixture_knowledge):
    passages = split_passages(documents(fixture_knowledge)["iop-guide"])
    assert [(p.id, p.heading) for p in passages] == [
        ("iop-guide#1", "Vad är ett IOP?"),
        ("iop-guide#2", "Kriterier"),
        ("iop-guide#3", "Starta"),
    ]


def test_short_paragraphs_merge_with_the_next_one(fixture_knowledge):
    last = split_passages(documents(fixture_knowledge)["iop-guide"])[-1]
    assert last.text.startswith("Kort stycke om start.\n\nEn kommun som vill starta")


def test_sources_comment_applies_to_its_paragraph_and_is_not_quoted(fixture_knowledge):
    first, second, _ = split_passages(documents(fixture_knowledge)["iop-guide"])
    assert first.sources == ("https://example.org/source-b",)
    assert second.sources == ("https://example.org/source-a",)
    assert "<!--" not in first.text


def test_passage_text_is_verbatim_from_the_body(real_service):
    for passage in real_service.corpus.passages:
        body = real_service.document(passage.doc_id).body
        for paragraph in passage.text.split("\n\n"):
            for line in paragraph.split("\n"):
                assert line.strip() in body


def test_long_paragraphs_are_split_between_sentences(fixture_knowledge):
    document = documents(fixture_knowledge)["iop-guide"]
    sentence = "Kommunen och föreningen samverkar kring välfärd i många år framöver. "
    long_doc = type(document)(**{**document.__dict__, "body": sentence * 60})
    passages = split_passages(long_doc)
    assert len(passages) > 1
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert all(p.text.endswith(".") for p in passages)


def test_bundled_passages_stay_within_the_size_band(real_service):
    sizes = [len(p.text.split()) for p in real_service.corpus.passages]
    assert max(sizes) <= MAX_WORDS + 30
    assert sum(size >= 25 for size in sizes) / len(sizes) >= 0.9


def test_noindex_section_is_left_out_of_the_passages(fixture_knowledge):
    document = documents(fixture_knowledge)["iop-guide"]
    body = document.body + (
        "\n## Om texten\n<!-- noindex -->\n\nDen här texten är ingen juridisk rådgivning om IOP, "
        "upphandling, kommuner eller föreningar; fråga myndigheterna om ett enskilt fall.\n"
        "<!-- sources: https://example.org/x -->\n"
    )
    passages = split_passages(type(document)(**{**document.__dict__, "body": body}))
    assert [p.heading for p in passages] == ["Vad är ett IOP?", "Kriterier", "Starta"]
    assert passages[-1].sources == document.sources
