"""The glossary sweep: is every concept of the bot's own glossary answered when asked about?"""

from __future__ import annotations

from dataclasses import dataclass

from bot.progress import SILENT, Progress
from bot.service import QAService

ASK = {"sv": "Vad är {}?", "da": "Hvad er {}?", "en": "What is {}?"}


@dataclass(frozen=True)
class SweepMiss:
    """A glossary question that was not answered with a passage naming the concept."""

    concept: str
    question: str
    coverage: str
    top: str


@dataclass(frozen=True)
class SweepResult:
    """How many glossary questions were answered with a passage naming the concept."""

    asked: int
    answered: int
    misses: tuple[SweepMiss, ...]

    @property
    def share(self) -> float:
        """Answered share (1.0 when nothing was asked)."""
        return self.answered / self.asked if self.asked else 1.0


def sweep_questions(service: QAService) -> list[tuple[str, str, str]]:
    """Return ``(concept id, language, question)`` for every non-generic concept.

    Each concept is asked by the first term of each of its languages, bare and as
    "Vad är X?" / "Hvad er X?" / "What is X?".
    """
    questions = []
    for concept in service.knowledge.concepts:
        if concept.generic:
            continue
        for language, terms in concept.terms.items():
            if terms and language in ASK and language not in concept.not_in:
                questions.append((concept.id, language, terms[0]))
                questions.append((concept.id, language, ASK[language].format(terms[0])))
    return questions


def run_sweep(service: QAService, progress: Progress = SILENT) -> SweepResult:
    """Ask every sweep question; a hit is a full answer whose top passage names the concept.

    Args:
        service: The service.
        progress: Shows the questions asked.

    Returns:
        The counts and the misses.
    """
    concepts = {concept.id: concept for concept in service.knowledge.concepts}
    analyzer = service.corpus.analyzer
    asked = answered = 0
    misses = []
    questions = sweep_questions(service)
    for concept_id, _, question in progress.track(questions, "glossary sweep", unit="question"):
        asked += 1
        answer = service.ask(question)
        top = answer.results[0] if answer.results else None
        named = False
        if top is not None:
            passage = top.passage
            terms = set(analyzer.terms(f"{passage.heading}\n{passage.text}", passage.language))
            stems = {
                stem
                for values in concepts[concept_id].terms.values()
                for term in values
                for stem in analyzer.terms(term, passage.language)
            }
            named = bool(terms & stems)
        if answer.answered and named:
            answered += 1
        else:
            misses.append(
                SweepMiss(concept_id, question, answer.coverage, top.passage.id if top else "")
            )
    return SweepResult(asked, answered, tuple(misses))
