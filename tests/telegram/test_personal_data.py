"""Personal data in questions: masked contacts do not spoil the answer; identity numbers are
answered with the personal-case reply, including a CPR number that fails modulus 11."""

from __future__ import annotations

import pytest

from bot.service import QAService
from bot.store import personal_case_reply, redact
from tests.fakebotapi import FakeBotApi
from tests.telegram.helpers import KNOWLEDGE, RESERVED_QUESTION, Feed, sent

CONTACTS = (
    "ring mig på 070-123 45 67",
    "mejla anna@example.org",
    "tel (08) 234 567 89",
    "nås på 070.456.78.91 eller anna@example.org",
)


@pytest.mark.parametrize("contact", CONTACTS)
async def test_a_question_with_a_masked_contact_is_answered(
    fake: FakeBotApi, feed: Feed, contact: str
):
    await feed(fake.user_says(f"{RESERVED_QUESTION} {contact}"))
    (answer,) = sent(fake)[:1]
    assert answer.visible_text.startswith("Ur källorna")
    assert "telefon" not in answer.visible_text
    assert "e-post" not in answer.visible_text


@pytest.fixture(scope="module")
def default_service() -> QAService:
    """The service with its default abstention policy (as deployed)."""
    return QAService.open(KNOWLEDGE)


@pytest.mark.parametrize(
    "tail",
    [
        "Ring mig på 070-123 45 67.",
        "Mejla anna@example.org",
        "Mitt nummer är 070-123 45 67",
        "Kontakta mig på anna@example.org eller 08-123 456 78.",
    ],
)
def test_masks_are_no_search_terms(default_service: QAService, tail: str):
    masked = redact(f"{RESERVED_QUESTION} {tail}").text
    assert "[" in masked
    query = default_service.query(masked)
    assert [term for term in query.terms if "telefon" in term or "post" in term] == []
    assert default_service.ask(masked).answered is True


async def test_a_cpr_number_failing_modulus_11_gets_the_personal_case_reply(
    fake: FakeBotApi, feed: Feed
):
    await feed(fake.user_says("Mit CPR er 0101901234, hvad gælder for mig?", language_code="da"))
    (reply,) = sent(fake)
    assert reply.visible_text == personal_case_reply("da")


def test_every_redaction_mask_is_dropped_before_searching():
    from bot.search import drop_masks
    from bot.store.redact import MASKS

    assert [
        mask for mask in MASKS.values() if drop_masks(f"a {mask} b").split() != ["a", "b"]
    ] == []
