"""Interface strings of the Telegram front end in Swedish, Danish and English.

Strings are Telegram HTML: our own tags only. Every value substituted with :func:`text` is
HTML-escaped, so callers pass raw user or document strings.
"""

from __future__ import annotations

import html
from collections.abc import Callable

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
            "• Knappar: 📄 Hela visar hela stycket, ◂ ▸ bläddrar bland träffarna, 👍/👎 "
            "berättar om svaret hjälpte.\n"
            "• Jag svarar på det språk du frågar på.\n"
            "• I vilken chatt som helst: skriv @{bot} och en fråga för att dela ett utdrag.\n\n"
            "/topics ämnen · /sources källor · /lang språk · /privacy integritet"
        ),
        "topics": "Välj ett ämne:",
        "topic": "<b>{label}</b>\nTryck på en siffra, eller skriv en egen fråga:",
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
        "header": "Ur källorna ({count}{pages}):",
        "document": "1 dokument",
        "documents": "{count} dokument",
        "page": " · sida {page}/{pages}",
        "quotes_untranslated": "Citaten är på svenska eller danska.",
        "same_source": "samma källa",
        "dated": "⚠️ Kan vara inaktuellt: <i>{note}</i>",
        "partial": "<b>Källorna svarar bara delvis.</b> Närliggande läsning, inte ett svar:",
        "missing": "Källorna säger inget om: <i>{words}</i>",
        "searched": "Sökte efter: <i>{text}</i>",
        "link": "länk",
        "more": "Fler ▸",
        "previous": "◂ Förra",
        "full": "📄 Hela [{rank}]",
        "newer": "⚠️ Nyare [{rank}]",
        "thanks": "Tack för återkopplingen!",
        "vote_saved": "Tack! {vote} är sparad. Tryck på den andra för att ändra.",
        "vote_same": "Tack! {vote} är redan sparad.",
        "missing_prompt": "Vad saknades? Svara på det här meddelandet med en rad, så ser "
        "redaktionen det.",
        "comment_saved": "Tack! Det är sparat med din 👎.",
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
        "cmd_lang_group": "Byt gruppens språk",
        "cmd_privacy": "Vad som sparas och hur länge",
        "cmd_forget": "Radera dina frågor och röster",
        "help_group": (
            "<b>Så frågar ni mig i en grupp</b>\n"
            "• Skriv /ask och frågan, till exempel <i>/ask Vad är ett IOP?</i>\n"
            "• Eller nämn mig: <i>@{bot} Vad är ett IOP?</i>, eller svara på ett av mina "
            "meddelanden.\n"
            "• Andra meddelanden i gruppen läser jag inte.\n"
            "• /lang väljer språk för hela gruppen.\n\n"
            "/topics ämnen · /sources källor · /privacy integritet"
        ),
        "lang_set_group": "Gruppen får nu knappar och meddelanden på svenska.",
        "privacy": (
            "<b>Vad Samverkansboten sparar</b>\n"
            "• Dina frågor, med personnummer, e-post och telefonnummer bortmaskade, och vilka "
            "källor svaret citerade. I stället för ditt Telegram-id sparas en nyckelad "
            "kod.\n"
            "• Dina 👍/👎 och det du skrev om vad som saknades.\n"
            "• Ditt språkval (/lang), tills du raderar det.\n"
            "Frågor och röster raderas automatiskt efter {days} dagar. Redaktionen läser "
            "dem för att förbättra källorna; inget delas med andra.\n"
            "Radera allt om dig nu: /forget"
        ),
        "forget_confirm": "Radera alla dina sparade frågor, röster och ditt språkval? Det går "
        "inte att ångra.",
        "forget_yes": "Radera",
        "forget_no": "Avbryt",
        "forgotten": "Klart. {count} sparade frågor och röster är raderade, och ditt språkval.",
        "forget_cancelled": "Inget raderades.",
        "forget_failed": "Jag kunde inte radera just nu. Försök igen om en stund.",
        "forget_private": "Skriv /forget i en privat chatt med mig, så raderas dina egna "
        "uppgifter.",
        "forget_not_yours": "Bara den som skrev /forget kan trycka här.",
        "whoami": "Ditt användar-id: <code>{user}</code>\nDen här chattens id: "
        "<code>{chat}</code>",
        "description": (
            "Samverkansboten svarar på frågor om idéburen välfärd i Sverige och Danmark – IOP, "
            "reserverad upphandling, överenskommelser, samskabelse och § 18 – med ordagranna "
            "utdrag ur lagar, myndigheters vägledningar och artiklar, med källa och länk. Den "
            "hittar aldrig på svar. Frågor sparas utan namn i {days} dagar; /privacy berättar "
            "mer."
        ),
        "short_description": "Frågor om IOP, reserverad upphandling och samverkan med "
        "civilsamhället – svar ur källorna.",
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
            "• Knapper: 📄 Hele viser hele afsnittet, ◂ ▸ blader i resultaterne, "
            "👍/👎 fortæller, om svaret hjalp.\n"
            "• Jeg svarer på det sprog, du spørger på.\n"
            "• I enhver chat: skriv @{bot} og et spørgsmål for at dele et uddrag.\n\n"
            "/topics emner · /sources kilder · /lang sprog · /privacy privatliv"
        ),
        "topics": "Vælg et emne:",
        "topic": "<b>{label}</b>\nTryk på et tal, eller skriv dit eget spørgsmål:",
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
        "header": "Fra kilderne ({count}{pages}):",
        "document": "1 dokument",
        "documents": "{count} dokumenter",
        "page": " · side {page}/{pages}",
        "quotes_untranslated": "Citaterne er på svensk eller dansk.",
        "same_source": "samme kilde",
        "dated": "⚠️ Kan være forældet: <i>{note}</i>",
        "partial": "<b>Kilderne svarer kun delvist.</b> Beslægtet læsning, ikke et svar:",
        "missing": "Kilderne siger intet om: <i>{words}</i>",
        "searched": "Søgte efter: <i>{text}</i>",
        "link": "link",
        "more": "Flere ▸",
        "previous": "◂ Forrige",
        "full": "📄 Hele [{rank}]",
        "newer": "⚠️ Nyere [{rank}]",
        "thanks": "Tak for din tilbagemelding!",
        "vote_saved": "Tak! {vote} er gemt. Tryk på den anden for at ændre.",
        "vote_same": "Tak! {vote} er allerede gemt.",
        "missing_prompt": "Hvad manglede? Svar på denne besked med en linje, så ser "
        "redaktionen det.",
        "comment_saved": "Tak! Det er gemt sammen med din 👎.",
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
        "cmd_lang_group": "Skift gruppens sprog",
        "cmd_privacy": "Hvad der gemmes, og hvor længe",
        "cmd_forget": "Slet dine spørgsmål og stemmer",
        "help_group": (
            "<b>Sådan spørger I mig i en gruppe</b>\n"
            "• Skriv /ask og spørgsmålet, for eksempel <i>/ask Hvad er § 18?</i>\n"
            "• Eller nævn mig: <i>@{bot} Hvad er § 18?</i>, eller svar på en af mine "
            "beskeder.\n"
            "• Andre beskeder i gruppen læser jeg ikke.\n"
            "• /lang vælger sprog for hele gruppen.\n\n"
            "/topics emner · /sources kilder · /privacy privatliv"
        ),
        "lang_set_group": "Gruppen får nu knapper og beskeder på dansk.",
        "privacy": (
            "<b>Hvad Samverkansboten gemmer</b>\n"
            "• Dine spørgsmål, med CPR-numre, e-mails og telefonnumre maskeret, og hvilke "
            "kilder svaret citerede. I stedet for dit Telegram-id gemmes en nøglet kode.\n"
            "• Dine 👍/👎 og det, du skrev om, hvad der manglede.\n"
            "• Dit sprogvalg (/lang), indtil du sletter det.\n"
            "Spørgsmål og stemmer slettes automatisk efter {days} dage. Redaktionen læser dem "
            "for at forbedre kilderne; intet deles med andre.\n"
            "Slet alt om dig nu: /forget"
        ),
        "forget_confirm": "Slet alle dine gemte spørgsmål, stemmer og dit sprogvalg? Det kan "
        "ikke fortrydes.",
        "forget_yes": "Slet",
        "forget_no": "Annuller",
        "forgotten": "Færdig. {count} gemte spørgsmål og stemmer er slettet, og dit sprogvalg.",
        "forget_cancelled": "Intet blev slettet.",
        "forget_failed": "Jeg kunne ikke slette lige nu. Prøv igen om lidt.",
        "forget_private": "Skriv /forget i en privat chat med mig, så slettes dine egne "
        "oplysninger.",
        "forget_not_yours": "Kun den, der skrev /forget, kan trykke her.",
        "whoami": "Dit bruger-id: <code>{user}</code>\nDenne chats id: <code>{chat}</code>",
        "description": (
            "Samverkansboten svarer på spørgsmål om velfærd i samarbejde med civilsamfundet i "
            "Sverige og Danmark – § 18, samskabelse, IOP og reserverede kontrakter – med "
            "ordrette uddrag fra love, myndigheders vejledninger og artikler, med kilde og "
            "link. Den finder aldrig selv på svar. Spørgsmål gemmes uden navn i {days} dage; "
            "/privacy fortæller mere."
        ),
        "short_description": "Spørgsmål om § 18, samskabelse og samarbejde med "
        "civilsamfundet – svar fra kilderne.",
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
            "• Buttons: 📄 Full shows the whole passage, ◂ ▸ flip through the results, "
            "👍/👎 tells me whether it helped.\n"
            "• I answer in the language you ask in; the quotes stay in Swedish or Danish.\n"
            "• In any chat: type @{bot} and a question to share an excerpt.\n\n"
            "/topics topics · /sources sources · /lang language · /privacy privacy"
        ),
        "topics": "Pick a topic:",
        "topic": "<b>{label}</b>\nTap a number, or type your own question:",
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
        "header": "From the sources ({count}{pages}):",
        "document": "1 document",
        "documents": "{count} documents",
        "page": " · page {page}/{pages}",
        "quotes_untranslated": "The sources are in Swedish or Danish; quotes are not translated.",
        "same_source": "same source",
        "dated": "⚠️ May be outdated: <i>{note}</i>",
        "partial": "<b>The sources answer only in part.</b> Related reading, not an answer:",
        "missing": "The sources say nothing about: <i>{words}</i>",
        "searched": "Searched for: <i>{text}</i>",
        "link": "link",
        "more": "More ▸",
        "previous": "◂ Back",
        "full": "📄 Full [{rank}]",
        "newer": "⚠️ Newer [{rank}]",
        "thanks": "Thank you for the feedback!",
        "vote_saved": "Thank you! {vote} is saved. Tap the other one to change it.",
        "vote_same": "Thank you! {vote} is already saved.",
        "missing_prompt": "What was missing? Reply to this message in one line and the "
        "editors will see it.",
        "comment_saved": "Thank you! It is saved with your 👎.",
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
        "cmd_lang_group": "Change the group's language",
        "cmd_privacy": "What is stored, and for how long",
        "cmd_forget": "Delete your questions and votes",
        "help_group": (
            "<b>How to ask me in a group</b>\n"
            "• Type /ask and the question, for example <i>/ask What is an IOP?</i>\n"
            "• Or mention me: <i>@{bot} What is an IOP?</i>, or reply to one of my "
            "messages.\n"
            "• I do not read other messages in the group.\n"
            "• /lang sets the language for the whole group.\n\n"
            "/topics topics · /sources sources · /privacy privacy"
        ),
        "lang_set_group": "The group now gets buttons and messages in English.",
        "privacy": (
            "<b>What Samverkansboten stores</b>\n"
            "• Your questions, with identity numbers, e-mail addresses and phone numbers "
            "masked, and which sources the answer quoted. Instead of your Telegram id, a keyed "
            "code is stored.\n"
            "• Your 👍/👎 and what you wrote about what was missing.\n"
            "• Your language choice (/lang), until you delete it.\n"
            "Questions and votes are deleted automatically after {days} days. The editors "
            "read them to improve the sources; nothing is shared with anyone else.\n"
            "Delete everything about you now: /forget"
        ),
        "forget_confirm": "Delete all your stored questions, votes and your language choice? "
        "This cannot be undone.",
        "forget_yes": "Delete",
        "forget_no": "Cancel",
        "forgotten": "Done. {count} stored questions and votes are deleted, and your language "
        "choice.",
        "forget_cancelled": "Nothing was deleted.",
        "forget_failed": "I could not delete just now. Please try again in a moment.",
        "forget_private": "Send /forget in a private chat with me to delete your own data.",
        "forget_not_yours": "Only the person who sent /forget can press this.",
        "whoami": "Your user id: <code>{user}</code>\nThis chat's id: <code>{chat}</code>",
        "description": (
            "Samverkansboten answers questions on idea-driven welfare in Sweden and Denmark – "
            "IOP partnerships, reserved contracts, compacts, co-creation and § 18 – with "
            "verbatim excerpts from laws, authorities' guidance and articles, each with its "
            "source and a link. It never makes up answers. Questions are kept without names "
            "for {days} days; /privacy tells more."
        ),
        "short_description": "Questions on IOP, reserved contracts and cooperation with "
        "civil society – answered from the sources.",
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

COMMANDS = ("start", "help", "topics", "sources", "lang", "privacy", "forget")
"""Commands of the private-chat menu, in the order Telegram shows them."""
GROUP_COMMANDS = ("ask", "help", "topics", "sources", "lang", "privacy")
"""Commands of the group menu (``/lang`` sets the group's language there)."""
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


def interface_language(
    preferred: str | None, language_code: str | None, default: str = "sv"
) -> str:
    """Pick the language of menus and notes: saved choice, then Telegram's, then the default.

    Args:
        preferred: The language picked with /lang, if any.
        language_code: The user's Telegram ``language_code``.
        default: Fallback when neither is sv/da/en.

    Returns:
        "sv", "da" or "en".
    """
    if preferred in LANGUAGES:
        return str(preferred)
    return language_from_code(language_code) or (default if default in LANGUAGES else "sv")


def choose_language(
    preferred: str | None,
    language_code: str | None,
    question: str | None,
    default: str = "sv",
    *,
    detect: Callable[[str, str], str] | None = None,
) -> str:
    """Pick the language of an answer: the question's, when it points anywhere.

    Args:
        preferred: The language the user picked with /lang, if any.
        language_code: The user's Telegram ``language_code``.
        question: The question text; None or empty for replies that are no answer.
        default: Fallback when nothing else decides.
        detect: Guesses a question's language with a fallback (the service's
            ``detect_language``, which knows the glossary); :func:`detect_language` when None.

    Returns:
        "sv", "da" or "en": the question's language, else :func:`interface_language`.
    """
    fallback = interface_language(preferred, language_code, default)
    if question and question.strip():
        found = (detect or detect_language)(question, fallback)
        return found if found in LANGUAGES else fallback
    return fallback
