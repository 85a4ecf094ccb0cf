"""Retrieval quality on the project's own question sets; thresholds come from measured values."""

from pathlib import Path

import pytest

from bot.answer import AbstainPolicy
from bot.quality import CLASSES, Evaluator, load_cases, run_cases, run_sweep, summarize

EVAL = Path(__file__).resolve().parents[2] / "eval"
DEV = sorted(EVAL.glob("*.yaml"))

# Measured with `python -m bot eval eval/*.yaml` (see the README); a drop below these is a
# regression. The sets written blind (eval/dev_blind*.yaml, harder; dev_blind5.yaml asks legal
# and persona questions only) made the dev figures lower.
MIN_HIT3 = 0.87
MIN_MRR = 0.81
MIN_REFUSED_OFF_TOPIC = 0.95
MIN_REFUSED_NEAR_DOMAIN = 0.85


@pytest.fixture(scope="module")
def metrics(real_service):
    return run_cases(real_service, load_cases(DEV))


def test_question_sets_are_large_enough_and_trilingual():
    cases = load_cases(sorted(EVAL.glob("**/*.yaml")))
    answerable = [c for c in cases if not c.abstain]
    assert len(answerable) >= 40
    assert {c.language for c in answerable} >= {"sv", "da", "en"}
    assert sum(c.klass == "near-domain" for c in cases) >= 30
    assert sum(c.klass == "off-topic" for c in cases) >= 10


def test_every_question_has_a_known_class():
    cases = load_cases(sorted(EVAL.glob("**/*.yaml")))
    assert {c.klass for c in cases} <= set(CLASSES)


def test_gold_passages_exist_in_the_knowledge(real_service):
    missing = []
    for case in load_cases(sorted(EVAL.glob("**/*.yaml"))):
        for gold in case.gold:
            found = any(
                gold.matches_passage(p.id, p.doc_id, p.text) for p in real_service.corpus.passages
            )
            if not found:
                missing.append((case.question, gold))
    assert missing == []


def test_hit_at_3_stays_above_the_measured_level(metrics):
    assert metrics.hit3 >= MIN_HIT3


def test_mrr_stays_above_the_measured_level(metrics):
    assert metrics.mrr >= MIN_MRR


def test_the_bots_ranking_beats_plain_bm25_on_its_dev_questions(real_service):
    ranking = Evaluator(real_service).run(load_cases(DEV), AbstainPolicy.always())
    assert (ranking.hit1 >= ranking.base_hit1, ranking.hit3 >= ranking.base_hit3) == (True, True)


def test_the_bot_with_its_refusals_beats_plain_bm25_on_every_answerable_class(metrics):
    behind = []
    for klass in sorted({o.case.klass for o in metrics.outcomes if not o.case.abstain}):
        figures = summarize([o for o in metrics.outcomes if o.case.klass == klass])
        if figures.hit1 < figures.base_hit1 or figures.hit3 < figures.base_hit3:
            behind.append(klass)
    assert behind == []


def test_off_topic_questions_are_refused(metrics):
    off = [o for o in metrics.outcomes if o.case.klass == "off-topic"]
    assert sum(not o.answered for o in off) / len(off) >= MIN_REFUSED_OFF_TOPIC


def test_near_domain_questions_are_not_answered_in_full(metrics):
    near = [o for o in metrics.outcomes if o.case.klass == "near-domain"]
    assert sum(not o.answered for o in near) / len(near) >= MIN_REFUSED_NEAR_DOMAIN


def test_glossary_sweep_answers_every_concept_of_the_bots_own_glossary(real_service):
    assert run_sweep(real_service).misses == ()
