"""Redaction: a catalogue of personal data that must go, text that must stay, properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store.redact import MASKS, Redaction, personal_case_reply, redact


def luhn_digit(nine: str) -> str:
    """Return the Swedish check digit for the first nine digits ``YYMMDDXXX``."""
    total = 0
    for position, char in enumerate(nine):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


# A bare 10-digit personnummer that starts with 0 must pass Luhn to count as one.
BORN_2001 = "010203123" + luhn_digit("010203123")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mitt personnummer är 850709-1234, vad gäller?", "personnummer"),
        ("19850709-1234", "personnummer"),
        ("198507091234", "personnummer"),
        ("19850709 - 1234", "personnummer"),
        ("8507091234", "personnummer"),
        ("850709 1234", "personnummer"),
        ("Min farmor 150709+1234 är 110 år", "personnummer"),
        ("20010203-1234", "personnummer"),
        (BORN_2001, "personnummer"),
        ("850769-1234", "samordningsnummer"),
        ("19850791-1234", "samordningsnummer"),
        ("CPR 150399-1234", "cpr"),
        ("cpr-nr. 290200-1234", "cpr"),
        ("3112991234", "cpr"),
        ("0503450003", "cpr"),  # starts with 0 but passes the old modulus-11 check
        ("８５０７０９－１２３４", "personnummer"),  # full-width digits
        ("8507\u200b09-1234", "personnummer"),  # split by a zero-width space
        ("850709\u00a0-\u00a01234", "personnummer"),  # no-break spaces
        ("850709–1234", "personnummer"),  # en dash
        ("skriv till anna.svensson@malmo.se", "email"),
        ("Fornavn.Efternavn@kommune.dk", "email"),
        ("x+tag@sub.example.org.", "email"),
        ("överförmyndare.åsa@kommun.se", "email"),
        ("070-123 45 67", "phone"),
        ("0701234567", "phone"),
        ("073 123 45 67", "phone"),
        ("+46 70 123 45 67", "phone"),
        ("+46701234567", "phone"),
        ("+46 (0)8-123 456 78", "phone"),
        ("0046 8 123 456 78", "phone"),
        ("08-123 456 78", "phone"),
        ("031-12 34 56", "phone"),
        ("0771-67 00 67", "phone"),
        ("+45 12 34 56 78", "phone"),
        ("0045 12345678", "phone"),
        ("ring på 22 33 44 55", "phone"),
        ("tlf. 12345678", "phone"),
        ("Telefon: 2233 4455", "phone"),
        ("mobil nr. 40 11 22 33", "phone"),
    ],
)
def test_personal_data_is_masked(text: str, kind: str) -> None:
    result = redact(text)

    assert result.kinds == (kind,)
    assert MASKS[kind] in result.text
    assert result.personal_id == (kind in {"personnummer", "samordningsnummer", "cpr"})


@pytest.mark.parametrize(
    "text",
    [
        "SFS 2022:900",
        "19 kap. 25 a § socialtjänstlagen",
        "direktiv 2014/24/EU",
        "prop. 2008/09:207",
        "prop. 2017/18:1",
        "lov nr. 1564 af 18/12/2018",
        "LBK nr 1284 af 14/11/2018",
        "bekendtgørelse nr. 1045",
        "bidrag på SEK 12 000",
        "EUR 300 000 under tröskelvärdet",
        "gäller från 2023-01-01",
        "fra 01-01-2023",
        "den 1.1.2023",
        "CPV 85000000-9",
        "CPV-kod 85311000-2",
        "kommunens organisationsnummer 212000-1234",
        "1 500 000 kronor",
        "100 000 invånare",
        "kl. 08.00–17.00",
        "år 2019–2022",
        "EU 2016/679",
        "0,5 procent",
        "IOP-avtal 2023-2025",
        "SOU 2019:56",
        "Dnr KS 2021/00123",
        "ISBN 978-91-7844-123-4",
        "1234567890",  # no valid date either way
    ],
)
def test_references_amounts_and_dates_are_kept(text: str) -> None:
    assert redact(text) == Redaction(text=text, kinds=())


def test_surrounding_text_is_kept_verbatim() -> None:
    result = redact(
        "Hej! Jag heter Anna, 850709-1234, mejla anna@exempel.se eller ring 070-123 45 67."
    )

    assert (
        result.text == "Hej! Jag heter Anna, [personnummer], mejla [e-post] eller ring [telefon]."
    )
    assert result.kinds == ("email", "personnummer", "phone")
    assert result.personal_id


def test_email_and_phone_alone_are_not_a_personal_case() -> None:
    assert not redact("anna@exempel.se 070-123 45 67").personal_id


def test_bare_mobile_number_is_not_mistaken_for_a_personnummer() -> None:
    # 070123-4567 would be a valid date (2007-01-23); without a separator and a Luhn match
    # a leading 0 means phone number.
    assert redact("0701234567").kinds == ("phone",)


def test_date_valid_number_with_wrong_check_digit_is_still_masked() -> None:
    nine = "850709123"
    wrong = str((int(luhn_digit(nine)) + 1) % 10)

    result = redact(f"{nine[:6]}-{nine[6:]}{wrong}")

    assert result.text == "[personnummer]"
    assert result.personal_id


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("sv", "socialtjänsten"), ("da", "Borgerservice"), ("en", "municipality")],
)
def test_personal_case_reply_points_to_the_municipality(language: str, phrase: str) -> None:
    reply = personal_case_reply(language)

    assert phrase in reply
    assert not any(char.isdigit() for char in reply)


def test_personal_case_reply_falls_back_to_swedish() -> None:
    assert personal_case_reply("de") == personal_case_reply("sv")


# Property tests ------------------------------------------------------------------------------

DIGITISH = st.text(alphabet="0123456789 -+–@.:/()ab\u200b", max_size=60)
BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@given(st.one_of(st.text(), DIGITISH))
def test_redact_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)

    assert twice.text == once.text
    assert twice.kinds == ()


@st.composite
def personnummer(draw: st.DrawFn) -> str:
    born = draw(BIRTH_DATES)
    day = born.day + (60 if draw(st.booleans()) else 0)
    short = f"{born:%y%m}{day:02d}"
    serial = f"{draw(st.integers(0, 999)):03d}"
    check = luhn_digit(short + serial)
    layout = draw(st.sampled_from(["short-", "short+", "short", "long", "long-"]))
    if layout.startswith("long"):
        return f"{born:%Y}{short[2:]}{'-' if layout == 'long-' else ''}{serial}{check}"
    return f"{short}{layout[5:]}{serial}{check}"


@st.composite
def cpr(draw: st.DrawFn) -> str:
    born = draw(BIRTH_DATES)
    return f"{born:%d%m%y}-{draw(st.integers(0, 9999)):04d}"


@given(personnummer() | cpr(), st.text(), st.text())
def test_identity_numbers_in_random_text_are_always_masked(
    number: str, before: str, after: str
) -> None:
    result = redact(f"{before} {number} {after}")

    assert number not in result.text
    assert result.personal_id


@given(st.emails(), st.text(), st.text())
def test_emails_in_random_text_are_always_masked(email: str, before: str, after: str) -> None:
    result = redact(f"{before} {email} {after}")

    assert email not in result.text
    assert "email" in result.kinds


@given(
    st.sampled_from("02369"),
    st.integers(0, 9_999_999),
    st.sampled_from(
        ["{a}-{b} {c} {d}", "{a}{b}{c}{d}", "+46 {a1} {b} {c} {d}", "{a} {b} {c} {d}"]
    ),
    st.text(),
)
def test_swedish_mobile_numbers_in_random_text_are_always_masked(
    operator: str, subscriber: int, layout: str, after: str
) -> None:
    digits = f"{subscriber:07d}"
    number = layout.format(
        a=f"07{operator}", a1=f"7{operator}", b=digits[:3], c=digits[3:5], d=digits[5:]
    )

    result = redact(f"Ring {number} {after}")

    assert number not in result.text
    assert result.kinds


# Issue 12: formats that were stored raw ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("850709  1245", "personnummer"),  # two spaces
        ("Mitt nummer är 850709\n1245", "personnummer"),  # split by a line break
        ("19850709 \n 1245", "personnummer"),
        ("1985-07-09-1260", "personnummer"),
        ("(08) 234 567 89", "phone"),
        ("08/345 678 91", "phone"),
        ("070.456.78.91", "phone"),
        ("46 70 567 89 12", "phone"),
        ("45 23 45 67 89", "phone"),
        ("Mit CPR-nummer er 0101901234, hvad gælder?", "cpr"),  # fails modulus 11
        ("jeg har 0101901234 og spørger om samskabelse", "cpr"),
        ("cpr 0101901234", "cpr"),
    ],
)
def test_issue_12_formats_are_masked(text: str, kind: str) -> None:
    result = redact(text)

    assert result.kinds == (kind,)
    assert not any(char.isdigit() for char in result.text)
    assert result.personal_id == (kind == "personnummer" or kind == "cpr")


@pytest.mark.parametrize(
    "text",
    [
        "avtal 2019-01-01–2020-12-31",
        "År 2010-2014 och KS 2021/0456",
        "Bankgiro 5050-1055",
        "kl. 08.00–17.00",
        "2024.01.02",
    ],
)
def test_ranges_and_codes_that_libphonenumber_would_accept_are_kept(text: str) -> None:
    assert redact(text) == Redaction(text=text, kinds=())


def test_a_bare_zero_number_after_a_phone_word_stays_a_phone_even_in_danish() -> None:
    assert redact("ring på 0101901234 hvis det er").kinds == ("phone",)


def test_text_that_carries_an_identity_mask_is_a_personal_case() -> None:
    once = redact("Mitt personnummer är 850709-1234")

    assert redact(once.text).personal_id
    assert not redact("ring [telefon] eller mejla [e-post]").personal_id
