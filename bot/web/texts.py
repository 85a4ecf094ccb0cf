"""Interface strings of the web chat in Swedish, Danish and English, and language choice.

Strings are plain text: the templates escape them. ``{name}`` placeholders are filled with
:func:`text`.
"""

from __future__ import annotations

from bot.models import LANGUAGES

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}

_TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Samverkansboten – frågor om idéburen välfärd",
        "intro": (
            "Svar på frågor om idéburen välfärd – IOP, reserverad upphandling, "
            "överenskommelser och dansk samskabelse/§ 18 – med ordagranna utdrag ur källorna "
            "och hänvisningar. Boten hittar aldrig på egna svar."
        ),
        "skip": "Hoppa till frågerutan",
        "languages": "Språk",
        "question_label": "Din fråga",
        "question_hint": (
            "Skriv på svenska, danska eller engelska. Skriv inga personnummer eller andra "
            "personuppgifter."
        ),
        "ask": "Fråga",
        "answers": "Svar",
        "examples": "Exempel på frågor",
        "searching": "Söker i källorna …",
        "empty": "Skriv en fråga först.",
        "error": "Förlåt, något gick fel. Försök igen om en liten stund.",
        "expired": "Svaret har gått ut. Ställ frågan igen, tack!",
        "rate_limited": (
            "Du ställer många frågor på kort tid. Vänta {seconds} sekunder och fråga igen."
        ),
        "not_found": "Sidan finns inte.",
        "back": "Till frågerutan",
        "privacy_heading": "Integritet och kakor",
        "privacy": (
            "Frågorna sparas i högst {days} dagar för att förbättra källorna, sedan raderas de. "
            "Personnummer, e-postadresser och telefonnummer maskas innan något sparas; en fråga "
            "med personnummer besvaras inte alls."
        ),
        "cookie": (
            "Sidan sätter en enda kaka: ett slumpat id som begränsar antalet frågor per minut "
            "och knyter din 👍/👎 till svaret. Vi sparar bara en nyckelhash av id:t. Inga andra "
            "kakor, ingen spårning och inga externa tjänster."
        ),
        "your_id": "Ditt id är {id}. Ange det om du vill att dina sparade frågor raderas.",
        "api": "API för integratörer (OpenAPI)",
        # Answers
        "you_asked": "Fråga:",
        "searched_for": "Sökte efter:",
        "count": "{total} utdrag ur källorna",
        "count_one": "1 utdrag ur källorna",
        "partial_label": "Närliggande läsning, inget svar.",
        "partial_missing": "Källorna säger inget om: {missing}.",
        "no_answer": (
            "Jag hittade inget i källorna som svarar på det, och jag gissar hellre inte. "
            "Formulera om frågan eller välj en av de här:"
        ),
        "suggestions": "Det här kan jag svara på",
        "based_on": "Underlag:",
        "undated": "odaterad",
        "passage": "stycke {id}",
        "full": "Hela stycket [{rank}]",
        "note": "Obs!",
        "new_tab": "(öppnas i ny flik)",
        "more": "Visa fler svar ({remaining} till)",
        "feedback": "Hjälpte svaret?",
        "yes": "Ja",
        "no": "Nej",
        "thanks": "Tack för återkopplingen!",
        "announce": "Svar på: {question}",
    },
    "da": {
        "title": "Samverkansboten – spørgsmål om velfærd i samarbejde med civilsamfundet",
        "intro": (
            "Svar på spørgsmål om velfærd i samarbejde med civilsamfundet – IOP, reserverede "
            "kontrakter, aftaler og dansk samskabelse/§ 18 – med ordrette uddrag fra kilderne "
            "og henvisninger. Botten finder aldrig selv på svar."
        ),
        "skip": "Gå til spørgsmålsfeltet",
        "languages": "Sprog",
        "question_label": "Dit spørgsmål",
        "question_hint": (
            "Skriv på dansk, svensk eller engelsk. Skriv ikke CPR-numre eller andre "
            "personoplysninger."
        ),
        "ask": "Spørg",
        "answers": "Svar",
        "examples": "Eksempler på spørgsmål",
        "searching": "Søger i kilderne …",
        "empty": "Skriv et spørgsmål først.",
        "error": "Undskyld, noget gik galt. Prøv igen om lidt.",
        "expired": "Svaret er udløbet. Stil venligst spørgsmålet igen.",
        "rate_limited": (
            "Du stiller mange spørgsmål på kort tid. Vent {seconds} sekunder, og spørg igen."
        ),
        "not_found": "Siden findes ikke.",
        "back": "Til spørgsmålsfeltet",
        "privacy_heading": "Privatliv og cookies",
        "privacy": (
            "Spørgsmålene gemmes i højst {days} dage for at forbedre kilderne og slettes "
            "derefter. CPR-numre, e-mailadresser og telefonnumre maskeres, før noget gemmes; et "
            "spørgsmål med et CPR-nummer besvares slet ikke."
        ),
        "cookie": (
            "Siden sætter én cookie: et tilfældigt id, der begrænser antallet af spørgsmål pr. "
            "minut og knytter din 👍/👎 til svaret. Vi gemmer kun en nøglet hash af id'et. Ingen "
            "andre cookies, ingen sporing og ingen eksterne tjenester."
        ),
        "your_id": "Dit id er {id}. Oplys det, hvis du vil have dine gemte spørgsmål slettet.",
        "api": "API til integratorer (OpenAPI)",
        "you_asked": "Spørgsmål:",
        "searched_for": "Søgte efter:",
        "count": "{total} uddrag fra kilderne",
        "count_one": "1 uddrag fra kilderne",
        "partial_label": "Relateret læsning, ikke et svar.",
        "partial_missing": "Kilderne siger intet om: {missing}.",
        "no_answer": (
            "Jeg fandt intet i kilderne, der svarer på det, og jeg gætter hellere ikke. "
            "Omformuler spørgsmålet, eller vælg et af disse:"
        ),
        "suggestions": "Det kan jeg svare på",
        "based_on": "Grundlag:",
        "undated": "udateret",
        "passage": "afsnit {id}",
        "full": "Hele afsnittet [{rank}]",
        "note": "Bemærk:",
        "new_tab": "(åbner i en ny fane)",
        "more": "Vis flere svar ({remaining} mere)",
        "feedback": "Hjalp svaret?",
        "yes": "Ja",
        "no": "Nej",
        "thanks": "Tak for din tilbagemelding!",
        "announce": "Svar på: {question}",
    },
    "en": {
        "title": "Samverkansboten – questions on idea-driven welfare",
        "intro": (
            "Answers to questions on idea-driven welfare – IOP partnerships, reserved "
            "contracts, agreements and Danish co-creation/§ 18 – with verbatim excerpts from "
            "the sources and citations. The bot never makes up answers."
        ),
        "skip": "Skip to the question box",
        "languages": "Language",
        "question_label": "Your question",
        "question_hint": (
            "Write in Swedish, Danish or English. Do not type personal identity numbers or "
            "other personal details."
        ),
        "ask": "Ask",
        "answers": "Answers",
        "examples": "Example questions",
        "searching": "Searching the sources …",
        "empty": "Type a question first.",
        "error": "Sorry, something went wrong. Please try again in a moment.",
        "expired": "This answer has expired. Please ask your question again.",
        "rate_limited": (
            "You are asking a lot of questions in a short time. Please wait {seconds} seconds "
            "and ask again."
        ),
        "not_found": "There is no such page.",
        "back": "Back to the question box",
        "privacy_heading": "Privacy and cookies",
        "privacy": (
            "Questions are kept for at most {days} days to improve the sources, then deleted. "
            "Identity numbers, e-mail addresses and phone numbers are masked before anything "
            "is stored; a question with an identity number is not answered at all."
        ),
        "cookie": (
            "This page sets one cookie: a random id that limits the number of questions per "
            "minute and ties your 👍/👎 to the answer. Only a keyed hash of the id is stored. "
            "No other cookies, no tracking and no outside services."
        ),
        "your_id": "Your id is {id}. Quote it if you want your stored questions deleted.",
        "api": "API for integrators (OpenAPI)",
        "you_asked": "Question:",
        "searched_for": "Searched for:",
        "count": "{total} excerpts from the sources",
        "count_one": "1 excerpt from the sources",
        "partial_label": "Related reading, not an answer.",
        "partial_missing": "The sources say nothing about: {missing}.",
        "no_answer": (
            "I found nothing in the sources that answers this, and I would rather not guess. "
            "Try rephrasing the question, or pick one of these:"
        ),
        "suggestions": "What I can answer",
        "based_on": "Based on:",
        "undated": "undated",
        "passage": "passage {id}",
        "full": "Whole passage [{rank}]",
        "note": "Note:",
        "new_tab": "(opens in a new tab)",
        "more": "Show more answers ({remaining} more)",
        "feedback": "Did this answer help?",
        "yes": "Yes",
        "no": "No",
        "thanks": "Thank you for the feedback!",
        "announce": "Answer to: {question}",
    },
}

KINDS: dict[str, dict[str, str]] = {
    "sv": {
        "opinion": "debattartikel",
        "column": "krönika",
        "news": "nyhet",
        "guide": "vägledning",
        "law": "lag",
        "agreement": "överenskommelse",
        "contract": "avtal",
        "report": "rapport",
    },
    "da": {
        "opinion": "debatindlæg",
        "column": "klumme",
        "news": "nyhed",
        "guide": "vejledning",
        "law": "lov",
        "agreement": "aftale",
        "contract": "kontrakt",
        "report": "rapport",
    },
    "en": {
        "opinion": "opinion piece",
        "column": "column",
        "news": "news",
        "guide": "guide",
        "law": "law",
        "agreement": "agreement",
        "contract": "contract",
        "report": "report",
    },
}


def supported(language: str | None) -> str | None:
    """Return ``language`` if it is sv, da or en, else None."""
    return language if language in LANGUAGES else None


def text(language: str, key: str, **values: object) -> str:
    """Return the interface string ``key`` in ``language`` (Swedish when unknown).

    Args:
        language: "sv", "da" or "en".
        key: The string's key.
        **values: Values for its ``{placeholders}``.

    Returns:
        Plain text; the templates escape it.
    """
    template = _TEXTS.get(language, _TEXTS["sv"])[key]
    return template.format(**values) if values else template


def kind_label(language: str, kind: str) -> str:
    """Return a document kind (``opinion``, ``guide`` …) in words, or the kind itself."""
    return KINDS.get(language, KINDS["sv"]).get(kind, kind)


def negotiate(accept_language: str, default: str = "sv") -> str:
    """Pick sv, da or en from an ``Accept-Language`` header.

    Args:
        accept_language: The header, e.g. ``"da-DK,da;q=0.9,en;q=0.8"``.
        default: The answer when the header names none of the three.

    Returns:
        The supported language with the highest quality value; the first one on a tie.
    """
    best, best_quality = default, 0.0
    for item in accept_language.split(",")[:20]:
        tag, _, parameters = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if primary in LANGUAGES and quality > best_quality:
            best, best_quality = primary, quality
    return best
