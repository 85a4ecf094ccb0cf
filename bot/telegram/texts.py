"""Interface strings of the Telegram front end in Swedish, Danish and English.

Strings are Telegram HTML: our own tags only. Every value substituted with :func:`text` is
HTML-escaped, so callers pass raw user or document strings.
"""

from __future__ import annotations

import html

from bot.models import LANGUAGES
from bot.search import detect_language

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}

_TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "welcome": (
            "<b>Hej! Jag är Samverkansboten.</b>\n"
            "Jag svarar på frågor om idéburen välfärd – IOP, reserverad upphandling, "
            "överenskommelser och dansk samskabelse/§ 18 – med ordagranna utdrag ur mina källor "
            "och hänvisningar. Jag hittar aldrig på egna svar.\n\n"
            "Skriv en fråga, eller välj ett ämne:"
        ),
        "help": (
            "<b>Så använder du Samverkansboten</b>\n"
            "• Skriv din fråga som ett vanligt meddelande, till exempel "
            "<i>Vad är ett IOP?</i>\n"
            "• Svaret är utdrag ur källorna. Under varje utdrag står källan [1], [2] … med länk.\n"
            "• Knappar: 📄 visar hela stycket, <i>Fler svar</i> visar nästa träffar, 👍/👎 "
            "berättar om svaret hjälpte.\n"
            "• I grupper svarar jag på /ask, när någon nämner mig och på svar till mina "
            "meddelanden.\n"
            "• I vilken chatt som helst: skriv @{bot} och en fråga för att dela ett utdrag.\n\n"
            "/topics ämnen · /sources källor · /lang språk"
        ),
        "topics": "Välj ett ämne:",
        "topic": "<b>{label}</b>\nVälj en fråga eller skriv en egen:",
        "no_topics": "Det finns inga ämnen att visa just nu.",
        "sources": "<b>Mina källor ({count})</b>",
        "no_sources": "Jag har inga källor inlästa just nu.",
        "lang_prompt": "Välj språk för knappar och meddelanden:",
        "lang_set": "Jag svarar nu på svenska.",
        "non_text": "Jag förstår bara frågor skrivna som text. Skriv din fråga, så letar jag i "
        "källorna.",
        "rate_limited": "Du ställer många frågor på kort tid. Vänta {seconds} sekunder och "
        "fråga igen, så hinner jag med.",
        "error": "Förlåt, något gick fel hos mig. Försök igen om en liten stund.",
        "expired": "Den här knappen gäller inte längre. Ställ frågan igen, tack!",
        "no_answer": (
            "Jag hittade inget i mina källor som svarar på det, och jag gissar hellre inte. "
            "Formulera om frågan eller välj ett ämne:"
        ),
        "ask_empty": "Skriv frågan direkt efter kommandot, till exempel: /ask Vad är ett IOP?",
        "header": "Ur källorna ({first}–{last} av {total}):",
        "partial": "<b>Källorna svarar bara delvis.</b> Närliggande läsning, inte ett svar:",
        "missing": "Källorna säger inget om: <i>{words}</i>",
        "searched": "Sökte efter: <i>{text}</i>",
        "header_more": "Fler svar ({first}–{last} av {total}):",
        "link": "länk",
        "more": "Fler svar ▸",
        "full": "📄 [{rank}]",
        "thanks": "Tack för återkopplingen!",
        "inline_open": "Fråga Samverkansboten",
        "unknown_command": "Det kommandot känner jag inte till. Skriv /help för hjälp.",
        "not_allowed": "Den här boten är bara öppen för inbjudna användare.",
        "personal": "Jag kan inte svara på frågor om enskilda personer eller ärenden. "
        "Ta bort personuppgifterna och fråga gärna igen.",
        "cmd_start": "Börja och välj ett ämne",
        "cmd_help": "Så använder du boten",
        "cmd_ask": "Ställ en fråga (i grupper)",
        "cmd_topics": "Ämnen jag kan svara på",
        "cmd_sources": "Källorna jag citerar",
        "cmd_lang": "Byt språk",
        "admin_only": "Det här kommandot är bara till för botens administratörer.",
        "admin_private": "Använd administratörskommandona i en privat chatt med mig.",
        "stats_unavailable": "Statistiken bygger på frågeloggen, och den är inte öppen just nu.",
        "stats_failed": "Jag kunde inte läsa frågeloggen just nu. Försök igen om en stund.",
        "reload_busy": "Kunskapen laddas redan om. Vänta tills det är klart.",
        "reload_ok": "<b>Kunskapen är omladdad.</b>\n{documents} dokument, index {version} "
        "(tidigare {previous}).",
        "reload_refused": "<b>Omladdningen avbröts:</b> {count} problem i kunskapsmappen. Jag "
        "svarar vidare med den tidigare kunskapen (index {version}). Rätta felen och skicka "
        "/reload igen:",
        "more_problems": "… och {count} till (python -m bot check visar alla).",
        "cmd_stats": "Statistik och kunskapsluckor (admin)",
        "cmd_reload": "Läs in kunskapen på nytt (admin)",
    },
    "da": {
        "welcome": (
            "<b>Hej! Jeg er Samverkansboten.</b>\n"
            "Jeg svarer på spørgsmål om velfærd i samarbejde med civilsamfundet – IOP, "
            "reserverede kontrakter, aftaler og dansk samskabelse/§ 18 – med ordrette uddrag "
            "fra mine kilder og henvisninger. Jeg finder aldrig selv på svar.\n\n"
            "Skriv et spørgsmål, eller vælg et emne:"
        ),
        "help": (
            "<b>Sådan bruger du Samverkansboten</b>\n"
            "• Skriv dit spørgsmål som en almindelig besked, for eksempel "
            "<i>Hvad er § 18?</i>\n"
            "• Svaret er uddrag fra kilderne. Under hvert uddrag står kilden [1], [2] … med "
            "link.\n"
            "• Knapper: 📄 viser hele afsnittet, <i>Flere svar</i> viser de næste resultater, "
            "👍/👎 fortæller, om svaret hjalp.\n"
            "• I grupper svarer jeg på /ask, når nogen nævner mig, og på svar til mine "
            "beskeder.\n"
            "• I enhver chat: skriv @{bot} og et spørgsmål for at dele et uddrag.\n\n"
            "/topics emner · /sources kilder · /lang sprog"
        ),
        "topics": "Vælg et emne:",
        "topic": "<b>{label}</b>\nVælg et spørgsmål, eller skriv dit eget:",
        "no_topics": "Der er ingen emner at vise lige nu.",
        "sources": "<b>Mine kilder ({count})</b>",
        "no_sources": "Jeg har ingen kilder indlæst lige nu.",
        "lang_prompt": "Vælg sprog for knapper og beskeder:",
        "lang_set": "Jeg svarer nu på dansk.",
        "non_text": "Jeg forstår kun spørgsmål skrevet som tekst. Skriv dit spørgsmål, så leder "
        "jeg i kilderne.",
        "rate_limited": "Du stiller mange spørgsmål på kort tid. Vent {seconds} sekunder, og "
        "spørg igen, så jeg kan følge med.",
        "error": "Undskyld, noget gik galt hos mig. Prøv igen om lidt.",
        "expired": "Denne knap gælder ikke længere. Stil venligst spørgsmålet igen.",
        "no_answer": (
            "Jeg fandt intet i mine kilder, der svarer på det, og jeg gætter hellere ikke. "
            "Omformuler spørgsmålet, eller vælg et emne:"
        ),
        "ask_empty": "Skriv spørgsmålet lige efter kommandoen, for eksempel: /ask Hvad er § 18?",
        "header": "Fra kilderne ({first}–{last} af {total}):",
        "partial": "<b>Kilderne svarer kun delvist.</b> Beslægtet læsning, ikke et svar:",
        "missing": "Kilderne siger intet om: <i>{words}</i>",
        "searched": "Søgte efter: <i>{text}</i>",
        "header_more": "Flere svar ({first}–{last} af {total}):",
        "link": "link",
        "more": "Flere svar ▸",
        "full": "📄 [{rank}]",
        "thanks": "Tak for din tilbagemelding!",
        "inline_open": "Spørg Samverkansboten",
        "unknown_command": "Den kommando kender jeg ikke. Skriv /help for hjælp.",
        "not_allowed": "Denne bot er kun åben for inviterede brugere.",
        "personal": "Jeg kan ikke svare på spørgsmål om enkeltpersoner eller sager. Fjern "
        "personoplysningerne, og spørg gerne igen.",
        "cmd_start": "Start og vælg et emne",
        "cmd_help": "Sådan bruger du botten",
        "cmd_ask": "Stil et spørgsmål (i grupper)",
        "cmd_topics": "Emner, jeg kan svare på",
        "cmd_sources": "Kilderne, jeg citerer",
        "cmd_lang": "Skift sprog",
        "admin_only": "Denne kommando er kun for bottens administratorer.",
        "admin_private": "Brug administratorkommandoerne i en privat chat med mig.",
        "stats_unavailable": "Statistikken bygger på spørgsmålsloggen, og den er ikke åben lige "
        "nu.",
        "stats_failed": "Jeg kunne ikke læse spørgsmålsloggen lige nu. Prøv igen om lidt.",
        "reload_busy": "Viden indlæses allerede igen. Vent, til det er færdigt.",
        "reload_ok": "<b>Viden er indlæst igen.</b>\n{documents} dokumenter, indeks {version} "
        "(før {previous}).",
        "reload_refused": "<b>Genindlæsningen blev afbrudt:</b> {count} problemer i "
        "vidensmappen. Jeg svarer fortsat med den tidligere viden (indeks {version}). Ret "
        "fejlene, og send /reload igen:",
        "more_problems": "… og {count} mere (python -m bot check viser dem alle).",
        "cmd_stats": "Statistik og videnshuller (admin)",
        "cmd_reload": "Indlæs viden igen (admin)",
    },
    "en": {
        "welcome": (
            "<b>Hi! I am Samverkansboten.</b>\n"
            "I answer questions on idea-driven welfare – IOP partnerships, reserved contracts, "
            "agreements and Danish co-creation/§ 18 – with verbatim excerpts from my sources "
            "and citations. I never make up answers.\n\n"
            "Type a question, or pick a topic:"
        ),
        "help": (
            "<b>How to use Samverkansboten</b>\n"
            "• Type your question as an ordinary message, for example "
            "<i>What is an IOP?</i>\n"
            "• Answers are excerpts from the sources. Each excerpt is followed by its source "
            "[1], [2] … with a link.\n"
            "• Buttons: 📄 shows the whole passage, <i>More answers</i> shows the next "
            "results, 👍/👎 tells me whether it helped.\n"
            "• In groups I answer /ask, mentions of me and replies to my messages.\n"
            "• In any chat: type @{bot} and a question to share an excerpt.\n\n"
            "/topics topics · /sources sources · /lang language"
        ),
        "topics": "Pick a topic:",
        "topic": "<b>{label}</b>\nPick a question or type your own:",
        "no_topics": "There are no topics to show right now.",
        "sources": "<b>My sources ({count})</b>",
        "no_sources": "I have no sources loaded right now.",
        "lang_prompt": "Choose the language for buttons and messages:",
        "lang_set": "I will now reply in English.",
        "non_text": "I only understand questions written as text. Type your question and I "
        "will look in the sources.",
        "rate_limited": "You are asking a lot of questions in a short time. Please wait "
        "{seconds} seconds and ask again so I can keep up.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "expired": "This button has expired. Please ask your question again.",
        "no_answer": (
            "I found nothing in my sources that answers this, and I would rather not guess. "
            "Try rephrasing the question, or pick a topic:"
        ),
        "ask_empty": "Type the question right after the command, for example: "
        "/ask What is an IOP?",
        "header": "From the sources ({first}–{last} of {total}):",
        "partial": "<b>The sources answer only in part.</b> Related reading, not an answer:",
        "missing": "The sources say nothing about: <i>{words}</i>",
        "searched": "Searched for: <i>{text}</i>",
        "header_more": "More answers ({first}–{last} of {total}):",
        "link": "link",
        "more": "More answers ▸",
        "full": "📄 [{rank}]",
        "thanks": "Thank you for the feedback!",
        "inline_open": "Ask Samverkansboten",
        "unknown_command": "I don't know that command. Type /help for help.",
        "not_allowed": "This bot is open to invited users only.",
        "personal": "I cannot answer questions about individual people or cases. Please "
        "remove the personal details and ask again.",
        "cmd_start": "Start and pick a topic",
        "cmd_help": "How to use the bot",
        "cmd_ask": "Ask a question (in groups)",
        "cmd_topics": "Topics I can answer",
        "cmd_sources": "The sources I quote",
        "cmd_lang": "Change language",
        "admin_only": "This command is for the bot's administrators only.",
        "admin_private": "Please use the admin commands in a private chat with me.",
        "stats_unavailable": "The statistics come from the question log, which is not open "
        "right now.",
        "stats_failed": "I could not read the question log just now. Please try again in a "
        "moment.",
        "reload_busy": "The knowledge is already being reloaded. Please wait until it is done.",
        "reload_ok": "<b>Knowledge reloaded.</b>\n{documents} documents, index {version} "
        "(was {previous}).",
        "reload_refused": "<b>Reload refused:</b> {count} problems in the knowledge folder. I "
        "keep answering from the previous knowledge (index {version}). Fix them and send "
        "/reload again:",
        "more_problems": "… and {count} more (python -m bot check lists them all).",
        "cmd_stats": "Statistics and knowledge gaps (admin)",
        "cmd_reload": "Reload the knowledge (admin)",
    },
}

COMMANDS = ("start", "help", "ask", "topics", "sources", "lang")
"""Bot commands, in the order shown in Telegram's menu."""
ADMIN_COMMANDS = ("stats", "reload")
"""Commands for the ids in ``Settings.admin_ids``, shown only in their own menus."""


def text(language: str, key: str, **values: object) -> str:
    """Return the interface string ``key`` in ``language`` with escaped values filled in.

    Args:
        language: "sv", "da" or "en"; anything else falls back to Swedish.
        key: The string's key.
        **values: Values for the ``{placeholders}``; each is HTML-escaped.

    Returns:
        Telegram HTML.
    """
    template = _TEXTS.get(language, _TEXTS["sv"])[key]
    if not values:
        return template
    return template.format(**{name: html.escape(str(value)) for name, value in values.items()})


def plain(language: str, key: str, **values: object) -> str:
    """Return the interface string ``key`` unescaped, for button labels and callback toasts."""
    template = _TEXTS.get(language, _TEXTS["sv"])[key]
    return template.format(**values) if values else template


def language_from_code(language_code: str | None) -> str | None:
    """Map a Telegram ``language_code`` such as ``sv-SE`` to sv/da/en, or None."""
    if not language_code:
        return None
    primary = language_code.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def choose_language(
    preferred: str | None,
    language_code: str | None,
    question: str | None,
    default: str = "sv",
) -> str:
    """Pick the interface language: saved choice, then Telegram's, then the question's.

    Args:
        preferred: The language the user picked with /lang, if any.
        language_code: The user's Telegram ``language_code``.
        question: The question text, used when neither of the above is sv/da/en.
        default: Fallback when nothing else decides.

    Returns:
        "sv", "da" or "en".
    """
    if preferred in LANGUAGES:
        return str(preferred)
    from_code = language_from_code(language_code)
    if from_code:
        return from_code
    if question and question.strip():
        return detect_language(question, default=default)
    return default if default in LANGUAGES else "sv"
