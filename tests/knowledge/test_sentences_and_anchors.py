"""Sentence boundaries know legal abbreviations; glossary anchors name defining passages."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import anchor_problems, heading_slug, resolve_anchor
from bot.knowledge.load import Concept
from bot.knowledge.sentences import split_sentences
from bot.models import Passage


def test_legal_references_do_not_end_a_sentence():
    text = (
        "Reservation får ske enligt 19 kap. 25 a § LOU. Det gäller t.ex. vård. "
        "Se prop. 2021/22:9 s. 5. Efter servicelovens § 18 stk. 2 gælder det."
    )
    assert split_sentences(text) == [
        "Reservation får ske enligt 19 kap. 25 a § LOU.",
        "Det gäller t.ex. vård.",
        "Se prop. 2021/22:9 s. 5.",
        "Efter servicelovens § 18 stk. 2 gælder det.",
    ]


def test_an_ordinary_period_still_ends_a_sentence():
    assert split_sentences("Kommunen beslutar. Föreningen svarar.") == [
        "Kommunen beslutar.",
        "Föreningen svarar.",
    ]


def test_a_heading_becomes_a_stable_anchor():
    assert heading_slug("Vad är ett IOP?") == "vad-ar-ett-iop"
    assert heading_slug("Servicelovens § 18: samarbejde og § 18-midler") == (
        "servicelovens-18-samarbejde-og-18-midler"
    )


PASSAGES = (
    Passage("guide#1", "guide", 1, "Inledning om allt.", heading="Bakgrund"),
    Passage("guide#2", "guide", 2, "Ett IOP är en överenskommelse.", heading="Vad är ett IOP?"),
    Passage("guide#3", "guide", 3, "Mer om IOP.", heading="Vad är ett IOP?"),
)


def test_an_anchor_names_the_first_passage_under_a_heading_or_the_one_with_a_phrase():
    assert resolve_anchor(PASSAGES, "guide#vad-ar-ett-iop") == PASSAGES[1]
    assert resolve_anchor(PASSAGES, "guide: Mer om IOP") == PASSAGES[2]
    assert resolve_anchor(PASSAGES, "guide#saknas") is None


def test_check_reports_an_anchor_that_no_longer_resolves(tmp_path: Path):
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text('concepts:\n  - id: iop\n    defined_in: ["guide#borta"]\n', "utf-8")
    concept = Concept("iop", {"sv": ("IOP",)}, defined_in=("guide#borta",))
    (problem,) = anchor_problems([concept], PASSAGES, glossary)
    assert (
        str(problem) == f"{glossary}:3: concept 'iop': defined_in 'guide#borta' names no passage"
    )


def test_the_bundled_glossary_anchors_all_resolve(real_service):
    passages = real_service.corpus.passages
    glossary = Path(__file__).resolve().parents[2] / "knowledge" / "glossary.yaml"
    assert anchor_problems(real_service.knowledge.concepts, passages, glossary) == []
