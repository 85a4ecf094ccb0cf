"""Decide whether the documents answer a question: answered, partly, or not covered.

The question is split into units (:class:`bot.search.Unit`): the glossary concepts it names
and its other typed words, each weighted by how topical it is in everyday language, so that
filler ("typ", "hej") and everyday words never count against an answer while a domain word
always counts fully, however often the documents use it. Then:

* the answer is *full* when the cited passages cover enough of the question's topical
  weight; the first topical unit, usually what is asked for, weighs more;
* it is *partial* when they cover a real topic of the question but too much is left:
  words the documents never use ("telefonnummer") or the cited passages do not contain;
* otherwise the documents do *not cover* the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.search import Query, Unit
from bot.search.questions import is_statute_number, is_year

FULL, PARTIAL, NONE = "full", "partial", "none"
INFLECTION = 2
"""Letters a stem may add to another and still be the same word: Snowball leaves some
participles and adverbs ("uppfylld" beside "uppfyll", "ställt" beside "ställ")."""
SHORTEST_STEM = 5
WHOLE = 1.0
"""Part credit of a hyphenated word: its parts, all in one passage, cover it."""
_PHONE = re.compile(r"\+?\d{6,}")
FOREIGN_RARE = 0.6
"""A word of the question's language the documents lack counts fully from this rarity on,
even when no document is in that language ("Horizon", "VAT")."""


@dataclass(frozen=True)
class AbstainPolicy:
    """Thresholds of the decision; ``python -m bot eval --tune`` derives them.

    Attributes:
        filler: Units weighing less than this are filler and never count either way.
        min_coverage: Share of the question's topical weight the cited passages must cover
            for a full answer.
        min_topic: A question is covered at all only when the cited passages contain a unit
            at least this topical (so "barn" and "plats" alone cannot carry an answer).
        foreign_unknown: Factor on the weight of a word the documents lack when no document
            is in the question's language: an English word missing from Swedish texts says
            little about whether the topic is covered.
        head: Factor on the first topical unit: "Vad är *telefonnumret* till Stadsmissionen?",
            "Vilket *kollektivavtal* gäller …": what is asked for usually comes first.
        uncited: Factor on a unit the documents use but the cited passages do not contain:
            it may be phrased differently there, so it counts less than an unknown word.
    """

    filler: float = 0.3
    min_coverage: float = 0.8
    min_topic: float = 0.6
    foreign_unknown: float = 1.0
    head: float = 1.5
    uncited: float = 0.75

    @classmethod
    def always(cls) -> AbstainPolicy:
        """Return a policy that answers whenever anything matches (tests, tuning)."""
        return cls(filler=2.0, min_coverage=0.0, min_topic=0.0)


@dataclass(frozen=True)
class Decision:
    """The outcome for one question and its cited passages."""

    coverage: str
    """"full", "partial" or "none"."""
    missing: tuple[str, ...] = ()
    """Topical words as typed that the documents (or the cited passages) do not cover."""
    share: float = 0.0
    """Share of the question's topical weight the cited passages cover."""
    topic: float = 0.0
    """Weight of the most topical unit the cited passages cover."""


def unit_weight(unit: Unit, foreign: bool, policy: AbstainPolicy) -> float:
    """Return a unit's weight in the decision (a foreign unknown word weighs less)."""
    if foreign and not unit.known and not unit.concept and unit.weight < FOREIGN_RARE:
        return unit.weight * policy.foreign_unknown
    return unit.weight


def same_word(a: str, b: str) -> bool:
    """Tell whether two stems are one word in forms Snowball did not join ("uppfylld")."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return (
        len(short) >= SHORTEST_STEM
        and len(long) - len(short) <= INFLECTION
        and long.startswith(short)
        and short.isalpha()
    )


def names_fact(kind: str, terms: frozenset[str]) -> bool:
    """Tell whether a passage's terms name a fact of a kind ("section", "date", …).

    A section is named by "§", a date by a year, a statute by its number ("2025:400"),
    contact details by a phone number or an e-mail address.
    """
    if kind == "section":
        return any("§" in term for term in terms)
    if kind == "statute":
        return any(is_statute_number(term) for term in terms)
    if kind == "contact":
        return any("@" in term or _PHONE.fullmatch(term) for term in terms)
    return any(is_year(term) for term in terms)


def names_amount(terms: frozenset[str], currencies: frozenset[str]) -> bool:
    """Tell whether a passage's terms name an amount of money: a number and a currency."""
    return bool(terms & currencies) and any(term.isdigit() for term in terms)


def names_number(terms: frozenset[str], numbers: frozenset[str]) -> bool:
    """Tell whether a passage's terms name a number: digits other than a year, or a word."""
    return bool(terms & numbers) or any(term.isdigit() and not is_year(term) for term in terms)


def _inflected(terms: frozenset[str], cited: frozenset[str]) -> bool:
    return any(same_word(term, other) for term in terms for other in cited)


def decide(
    query: Query,
    cited: Sequence[frozenset[str]],
    policy: AbstainPolicy,
    *,
    foreign: bool = False,
) -> Decision:
    """Decide how far the cited passages answer the question.

    Args:
        query: The analysed question.
        cited: The index terms of the passages that would be cited, best first.
        policy: The thresholds.
        foreign: True when no document is written in the question's language.

    Returns:
        The decision.
    """
    if not cited:
        return Decision(NONE)
    if policy.filler > 1.0:  # the always-answer policy
        return Decision(FULL, (), 1.0, 1.0)
    units = _topical(query, policy, foreign)
    if not units:
        return Decision(NONE)
    # An answer is a passage that covers the question: judge each cited passage on its own and
    # keep the best, so that words spread over three passages do not add up to an answer.
    judged = [_judge(units, [terms], policy) for terms in cited]
    at = max(range(len(cited)), key=lambda number: (judged[number][0], -number))
    best = judged[at]
    share, topic, _ = best
    if query.amount is not None and not names_amount(cited[at], query.amount.currencies):
        # "Vad kostar det att bli medlem i Famna?": a passage on Famna that names no amount
        # does not answer it.
        return Decision(PARTIAL, (query.amount.label,), share, topic)
    if query.count is not None and not any(
        names_number(terms, query.count.numbers) for terms in cited
    ):
        # "Hur många volontärer är engagerade genom IOP?": passages naming no number at all
        # do not answer it.
        return Decision(PARTIAL, (query.count.label,), share, topic)
    if topic < policy.min_topic or share < policy.min_coverage:
        # What none of the cited passages says is what the sources do not cover.
        missing = _judge(units, cited, policy)[2] or best[2]
        coverage = NONE if topic < policy.min_topic else PARTIAL
        return Decision(coverage, missing, share, topic)
    abroad = tuple(unit.label for unit, _, _ in units if unit.abroad and not unit.context)
    if abroad:
        # "Hur fungerar reserverad upphandling i Norge?": the passages on Swedish rules that
        # mention Norway in passing do not answer for Norway.
        return Decision(PARTIAL, abroad, share, topic)
    return Decision(FULL, (), share, topic)


def coverage_shares(
    query: Query,
    passages: Sequence[frozenset[str]],
    policy: AbstainPolicy,
    *,
    foreign: bool = False,
) -> list[float]:
    """Return the share of the question's topical weight each passage covers on its own.

    Args:
        query: The analysed question.
        passages: The index terms of the passages to judge.
        policy: The thresholds (which units are topical, how the first one weighs).
        foreign: True when no document is written in the question's language.

    Returns:
        One share in [0, 1] per passage, judged as :func:`decide` judges a cited passage.
    """
    units = _topical(query, policy, foreign)
    return [_judge(units, [terms], policy)[0] if units else 0.0 for terms in passages]


def _topical(
    query: Query, policy: AbstainPolicy, foreign: bool
) -> list[tuple[Unit, float, float]]:
    """Return the topical units with their weight and their weight as judged (head first)."""
    weighted = [(unit, unit_weight(unit, foreign, policy)) for unit in query.units]
    topical = [(unit, weight) for unit, weight in weighted if weight >= policy.filler]
    if topical and all(unit.context for unit, _ in topical):
        # "…our treasurer wants to know how much to budget for insurance. What does that
        # usually cost?": a question with no topic of its own asks about what came before.
        topical = [
            (unit if unit.asker else replace(unit, context=False), weight)
            for unit, weight in topical
        ]
    if not topical:
        return []
    first = policy.head if query.names_thing else 1.0
    heads = [first] + [1.0] * (len(topical) - 1)
    return [(unit, base, base * head) for (unit, base), head in zip(topical, heads, strict=True)]


def _judge(
    units: Sequence[tuple[Unit, float, float]],
    cited: Sequence[frozenset[str]],
    policy: AbstainPolicy,
) -> tuple[float, float, tuple[str, ...]]:
    """Return the covered share, the most topical covered unit and the uncovered labels."""

    def seen(unit: Unit) -> bool:
        return any(
            unit.terms & terms
            or _inflected(unit.terms, terms)
            or (unit.names and names_fact(unit.names, terms))
            for terms in cited
        )

    credit = mass = topic = 0.0
    uncovered: list[Unit] = []
    for unit, base, weight in units:
        cited_here = seen(unit)
        if (unit.known or unit.names) and cited_here:
            # A cited city ("Malmö") alone does not make the documents cover a question.
            topic = max(topic, min(base, unit.topicality) if unit.name else base)
            credit, mass = credit + weight, mass + weight
            continue
        if unit.context:
            # The asker's situation ("Jag är upphandlare i en mellanstor kommun."): its words
            # support a passage that has them, but one without them may still answer.
            continue
        if unit.part_credit >= WHOLE and any(unit.terms <= terms for terms in cited):
            # "eu-regler": a hyphenated word is covered by a passage using all its parts.
            credit, mass = credit + weight, mass + weight
            continue
        uncovered.append(unit)
        if WHOLE > unit.part_credit > 0 and cited_here:
            # A compound the documents lack is partly covered when its parts are cited.
            credit, mass = credit + weight * unit.part_credit, mass + weight
        elif unit.known:
            mass += weight * policy.uncited
        else:
            mass += weight
    share = credit / mass if mass else 0.0
    return share, topic, tuple(dict.fromkeys(unit.label for unit in uncovered))
