"""Mask personal data in free text before anything is searched, stored or logged.

Detected and masked:

* Swedish personnummer (``YYMMDD-XXXX``, ``YYMMDD+XXXX``, ``YYYYMMDDXXXX`` …) and
  samordningsnummer (day + 60), Danish CPR numbers (``DDMMYY-XXXX``);
* e-mail addresses;
* phone numbers: Swedish (``070-123 45 67``, ``08-123 456 78``), international
  (``+46 …``, ``+45 12 34 56 78``, ``0045 …``), Danish ``12 34 56 78`` and any 8–12 digit
  number right after a phone word (``tlf.``, ``telefon``, ``mobil``, ``ring`` …).

Choices for identity numbers:

* Any 10- or 12-digit form whose date part is a valid calendar date (day + 60 allowed for
  samordningsnummer) is masked, **with or without a valid Luhn check digit**: a mistyped check
  digit is still somebody's personal data. Such a match sets :attr:`Redaction.personal_id`.
* Exception: a bare 10-digit run that starts with ``0`` (no separator) is also the shape of a
  Swedish phone number (``0701234567``), so it counts as an identity number only when it passes
  the Swedish Luhn check or the old Danish modulus-11 check; otherwise it is masked as a phone
  number. Either way the digits are gone.
* A 10-digit number that is date-valid both ways (``YYMMDD`` and ``DDMMYY``) is called a
  personnummer when its Luhn digit is right and a CPR number otherwise; with a ``+`` separator
  (Swedish, aged 100 or more) it is always Swedish.
* Bare 8-digit Danish numbers are masked only after a phone word or in ``12 34 56 78`` pairs,
  so amounts, CVR-like numbers and CPV codes (``85000000-9``) stay readable.

Text is first cleaned of invisible format characters (zero-width spaces, bidi marks, soft
hyphens) and NFKC-normalised, so that ``８５０７０９－１２３４`` or a number split by a zero-width
space is caught too. Masking is repeated until nothing changes, which makes :func:`redact`
idempotent.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

PERSONAL_KINDS = frozenset({"personnummer", "samordningsnummer", "cpr"})
"""Kinds that identify a person directly; they trigger :func:`personal_case_reply`."""

MASKS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "cpr": "[cpr]",
    "email": "[e-post]",
    "phone": "[telefon]",
}
"""Replacement text per kind; masks contain no digits and no ``@``."""

# Every pattern's match contains a digit or "@", and no mask does, so each pass that changes the
# text removes at least one of them: the fixpoint loop ends well before this bound.
_MAX_PASSES = 16

# Hyphen-minus, en dash, em dash, minus sign and hyphen (NFKC maps U+2011 to U+2010).
_DASHES = "-–—−‐"
_DASH = r"[\-–—−‐]"
# Spaces, tabs and line breaks around an identity number's separator ("850709  1245", a
# number split over two lines).
_SEPARATOR = rf"(?:[ \t\n]{{0,3}}(?:\+|{_DASH})[ \t\n]{{0,3}}|[ \t\n]{{1,3}})"

_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+"
    r"@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+"
)
_PERSONAL = re.compile(
    r"(?<![0-9])(?P<century>18|19|20)?(?P<date>[0-9]{6})"
    rf"(?P<sep>{_SEPARATOR})?(?P<serial>[0-9]{{4}})(?![0-9])"
)
# The date written with dashes ("1985-07-09-1260"); the serial must follow a dash and end the
# number, so that a date range ("2019-01-01–2020-12-31") is not taken for one.
_DASHED_PERSONAL = re.compile(
    rf"(?<![0-9])(?P<century>18|19|20)?(?P<date>[0-9]{{2}}{_DASH}[0-9]{{2}}{_DASH}[0-9]{{2}})"
    rf"(?P<sep>[ ]?{_DASH}[ ]?)(?P<serial>[0-9]{{4}})(?![0-9]|{_DASH}[0-9])"
)
_IDENTITY_CUE = re.compile(
    r"(?i:\bcpr|personnum|personnr|person-nr|fødsels|født|samordningsnum|"
    r"personal (?:id|number)|\bid-?n(?:umme)?r)"
)
_DANISH_CUE = re.compile(r"[æøÆØ]|\b(?i:jeg|mit|hvad|hvordan|hvorfor|hvornår|hvem|ikke|og)\b")
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]"
    rf"(?:(?:[ ]?{_DASH}[ ]?|[ ]?\([ ]?0[ ]?\)[ ]?|[ ])?[0-9]){{6,13}}(?![0-9])"
)
_SWEDISH_PHONE = re.compile(
    rf"(?<![\w+,/])0[1-9](?:(?:[ ]?{_DASH}[ ]?|[ ])?[0-9]){{6,8}}(?![0-9])"
)
_DANISH_PHONE = re.compile(
    r"(?<![\w+,/.])(?<![0-9][ ])[2-9][0-9](?:[ ][0-9]{2}){3}(?![0-9]|[ ][0-9])"
)
_PHONE_WORD = re.compile(
    r"\b(?i:tlf|tel|telefon\w*|mobil\w*|mob|ring\w*|sms|phone|call)\b"
    r"[.:]?[ ]*(?i:nr\.?|nummer|no\.?)?[ ]*:?[ ]*"
    r"(?P<number>[0-9](?:[ -]?[0-9]){7,11})(?![0-9])"
)


_DANISH_WITH_CODE = re.compile(r"(?:\+|00)?[ ]?45(?:[ ]?[0-9]){8}$")
_LOOKS_LIKE_DATE = re.compile(
    r"[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}|[0-9]{8}"
    rf"|[0-2]?[0-9][.:][0-5][0-9][ ]?{_DASH}[ ]?[0-2]?[0-9][.:][0-5][0-9]"  # 08.00–17.00
)
"""Dates and opening hours that libphonenumber would take for numbers."""


@dataclass(frozen=True)
class Redaction:
    """Text with personal data masked, and which kinds of data were found."""

    text: str
    kinds: tuple[str, ...] = ()
    """Kinds found, in order of first detection, e.g. ``("personnummer", "email")``."""

    @property
    def personal_id(self) -> bool:
        """True when a personnummer, samordningsnummer or CPR number was found or is masked.

        Text redacted before (a question kept in the update journal) carries the mask, not
        the number; it is still a personal case.
        """
        return any(kind in PERSONAL_KINDS for kind in self.kinds) or any(
            MASKS[kind] in self.text for kind in PERSONAL_KINDS
        )


def redact(text: str) -> Redaction:
    """Mask identity numbers, e-mail addresses and phone numbers in ``text``.

    Never raises for any ``str``; ``redact(redact(t).text).text == redact(t).text``.

    Args:
        text: Free text, e.g. a question from a chat.

    Returns:
        The cleaned text with each finding replaced by its mask (see :data:`MASKS`).
    """
    found: list[str] = []
    for _ in range(_MAX_PASSES):
        masked = _mask_once(_normalise(text), found)
        if masked == text:
            break
        text = masked
    return Redaction(text=text, kinds=tuple(dict.fromkeys(found)))


def personal_case_reply(language: str, *, number: bool = True) -> str:
    """Say that personal cases cannot be handled here and where to turn instead.

    Args:
        language: ``"sv"``, ``"da"`` or ``"en"``; anything else gets Swedish.
        number: The question carried an identity number (say it was neither stored nor
            searched); False for a personal case told in words only.

    Returns:
        A short plain-text reply.
    """
    replies = _PERSONAL_CASE_REPLIES if number else _PERSONAL_CASE_WORDS
    return replies.get(language, replies["sv"])


_PERSONAL_CASE_WORDS = {
    "sv": (
        "Jag kan inte hjälpa till med enskilda personärenden. Vänd dig direkt till "
        "socialtjänsten eller kontaktcenter i din kommun. Skicka aldrig personuppgifter, som "
        "personnummer, i en chatt."
    ),
    "da": (
        "Jeg kan ikke hjælpe med personlige sager. Kontakt Borgerservice eller "
        "socialforvaltningen i din kommune direkte. Send aldrig personoplysninger, som dit "
        "CPR-nummer, i en chat."
    ),
    "en": (
        "I can't help with individual personal cases. Please contact your municipality "
        "directly (in Sweden the social services, socialtjänsten; in Denmark Borgerservice). "
        "Never send personal details such as identity numbers in a chat."
    ),
}


_PERSONAL_CASE_REPLIES = {
    "sv": (
        "Jag kan inte hjälpa till med enskilda personärenden, och numret du skrev har inte "
        "sparats eller sökts på. Vänd dig direkt till socialtjänsten eller kontaktcenter i din "
        "kommun. Skicka aldrig personnummer i en chatt."
    ),
    "da": (
        "Jeg kan ikke hjælpe med personlige sager, og nummeret du skrev, er hverken gemt eller "
        "brugt til søgning. Kontakt Borgerservice i din kommune direkte. Send aldrig dit "
        "CPR-nummer i en chat."
    ),
    "en": (
        "I can't help with individual personal cases, and the number you sent was neither "
        "stored nor searched. Please contact your municipality directly (in Sweden the social "
        "services, socialtjänsten; in Denmark Borgerservice). Never send personal identity "
        "numbers in a chat."
    ),
}


def _normalise(text: str) -> str:
    """Drop invisible format/control characters (keeping newlines and tabs), then NFKC."""
    kept = "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in {"Cc", "Cf"}
    )
    return unicodedata.normalize("NFKC", kept)


def _mask_once(text: str, found: list[str]) -> str:
    """Apply every pattern once, recording the kinds masked in ``found``."""

    def replace(kind: str | None, original: str) -> str:
        if kind is None:
            return original
        found.append(kind)
        return MASKS[kind]

    text = _EMAIL.sub(lambda m: replace("email", m.group()), text)
    text = _DASHED_PERSONAL.sub(lambda m: replace(_identity_kind(m), m.group()), text)
    text = _PERSONAL.sub(lambda m: replace(_identity_kind(m), m.group()), text)
    text = _INTERNATIONAL_PHONE.sub(lambda m: replace("phone", m.group()), text)
    text = _SWEDISH_PHONE.sub(
        lambda m: replace("phone" if _one_hyphen(m.group()) else None, m.group()), text
    )
    text = _DANISH_PHONE.sub(lambda m: replace("phone", m.group()), text)
    text = _PHONE_WORD.sub(
        lambda m: m.group()[: m.start("number") - m.start()] + replace("phone", ""), text
    )
    return _mask_other_phones(text, replace)


def _mask_other_phones(text: str, replace: Callable[[str | None, str], str]) -> str:
    """Mask the phone numbers the patterns above miss, using libphonenumber's rules.

    Swedish numbers in any national layout ("(08) 234 567 89", "08/345 678 91",
    "070.456.78.91", "46 70 567 89 12") and Danish ones written with the country code
    ("45 23 45 67 89"). Bare Danish 8-digit runs are left to the patterns above: as Danish
    numbers almost any 8 digits are valid, years and case numbers ("2010-2014") included.
    """
    if not any(char.isdigit() for char in text):
        return text
    import phonenumbers  # only texts with digits need it (~25 ms to import)

    spans: list[tuple[int, int]] = []
    for region in ("SE", "DK"):
        matcher = phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        )
        for match in matcher:
            raw = match.raw_string
            if _LOOKS_LIKE_DATE.fullmatch(raw):
                continue
            if region == "DK" and not _DANISH_WITH_CODE.match(raw):
                continue
            spans.append((match.start, match.end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:  # both regions found (overlapping) numbers
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + replace("phone", text[start:end]) + text[end:]
    return text


def _one_hyphen(number: str) -> bool:
    """True unless the match has two or more dashes, as Danish dates do ("01-02-2023")."""
    return sum(number.count(dash) for dash in _DASHES) <= 1


def _identity_kind(match: re.Match[str]) -> str | None:
    """Classify a 10/12-digit candidate, or None when it is no identity number."""
    century, serial = match.group("century"), match.group("serial")
    date = re.sub("[^0-9]", "", match.group("date"))
    if century:
        day = int(date[4:6])
        if not _date_ok(int(century + date[:2]), int(date[2:4]), day, coordination=True):
            return None
        return "samordningsnummer" if day > 60 else "personnummer"
    digits = date + serial
    swedish = _date_ok(int(date[:2]), int(date[2:4]), int(date[4:6]), coordination=True)
    danish = _date_ok(int(date[4:6]), int(date[2:4]), int(date[:2]), coordination=False)
    luhn = _luhn_ok(digits)
    if "+" in (match.group("sep") or ""):
        danish = False  # "+" (aged 100 or more) is a Swedish convention only
    elif not match.group("sep") and digits.startswith("0"):
        # Also the shape of a Swedish phone number: demand a check digit that fits, or, for
        # a CPR number (whose modulus-11 check was dropped in 2007), words around it that say
        # it is one: Danish text or a word like "CPR", unless a phone word comes right before.
        swedish = swedish and luhn
        danish = danish and (_modulus_11_ok(digits) or _cpr_context(match))
    if swedish and (luhn or not danish):
        return "samordningsnummer" if int(date[4:6]) > 60 else "personnummer"
    return "cpr" if danish else None


def _cpr_context(match: re.Match[str]) -> bool:
    """True when the text around a bare number says it is a (Danish) identity number."""
    text = match.string
    before = text[max(0, match.start() - 24) : match.start()]
    if _PHONE_BEFORE.search(before):
        return False
    return bool(_IDENTITY_CUE.search(text) or _DANISH_CUE.search(text))


_PHONE_BEFORE = re.compile(
    r"(?i:\b(?:tlf|tel|telefon\w*|mobil\w*|mob|ring\w*|sms|phone|call)\b)[^0-9]{0,12}$"
)


def _date_ok(year: int, month: int, day: int, *, coordination: bool) -> bool:
    """True for a real calendar date; a two-digit year counts as leap when divisible by 4."""
    if coordination and day > 60:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 if year < 100 else calendar.isleap(year)
    days = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
    return day <= days


def _luhn_ok(digits: str) -> bool:
    """Swedish check digit: Luhn over the ten digits ``YYMMDDXXXC``."""
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _modulus_11_ok(digits: str) -> bool:
    """Danish check used for CPR numbers issued before 2007."""
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=True)) % 11 == 0
