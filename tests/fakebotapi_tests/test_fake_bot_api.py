"""The fake Bot API answers a real PTB ``Bot`` the way Telegram does.

Most tests go in-process through ``httpx.MockTransport``; the server tests go over
127.0.0.1 with long-polling. Error texts are asserted as PTB shows them: it strips
"Bad Request: " and capitalizes the message (``str.capitalize`` lowercases the rest).
"""

from __future__ import annotations

import asyncio
import html
import struct
import time
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.fakebotapi import (
    FakeBotApi,
    FakeBotApiServer,
    check_telegram_html,
    parse_telegram_html,
    strip_html,
    visible_length,
)
from tests.fakebotapi.core import DEFAULT_SUPERGROUP_ID as DEFAULT_GROUP
from tests.fakebotapi.core import decode_body

NOT_MODIFIED = "Message is not modified"
QUERY_TOO_OLD = "Query is too old and response timeout expired or query id is invalid"


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi()


def mock_request(fake: FakeBotApi) -> HTTPXRequest:
    transport = httpx.MockTransport(fake.handle_httpx)
    return HTTPXRequest(httpx_kwargs={"transport": transport, "trust_env": False})


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        fake.token, request=mock_request(fake), get_updates_request=mock_request(fake)
    ) as the_bot:
        yield the_bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


def article(result_id: str, text: str = "svar") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "titel", InputTextMessageContent(text))


# ----------------------------------------------------------------------------- html_check


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>",
        "<s>s</s> <strike>k</strike> <del>d</del> <tg-spoiler>x</tg-spoiler>",
        '<span class="tg-spoiler">hidden</span>',
        '<a href="https://example.org/?a=1&amp;b=2">link</a>',
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        "<code>a &gt; b &amp;&amp; c &quot;d&quot; &#169; &#x1F600;</code>",
        "<blockquote>citat</blockquote>",
        "<blockquote expandable>lång <b>citat</b></blockquote>",
        "<B>upper-case tags</B>",
        "<b><i>nested</i> fine</b>",
    ],
)
def test_valid_html_is_accepted(text: str) -> None:
    assert check_telegram_html(text) is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("åäö <br>", 'Unsupported start tag "br" at byte offset 7'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<blockquote>a<blockquote>b</blockquote></blockquote>",
            "Nested blockquote at byte offset 13",
        ),
    ],
)
def test_invalid_html_is_refused_with_telegram_error(text: str, error: str) -> None:
    assert check_telegram_html(text) == f"Bad Request: can't parse entities: {error}"


@given(st.text())
def test_any_text_escaped_with_html_escape_is_valid_and_round_trips(text: str) -> None:
    markup = f"<b>{html.escape(text)}</b>"
    assert check_telegram_html(markup) is None
    assert strip_html(markup) == text.strip()


def test_visible_length_ignores_tags_decodes_entities_and_counts_utf16() -> None:
    assert visible_length("  <b>a&amp;b</b> 😀\n") == len("a&b ") + 2


def test_entity_offsets_are_utf16_code_units() -> None:
    parsed = parse_telegram_html("😀 <b>fet</b> <a href='https://x.se'>l</a>")
    assert parsed.text == "😀 fet l"
    assert [(e.type, e.offset, e.length) for e in parsed.entities] == [
        ("bold", 3, 3),
        ("text_link", 7, 1),
    ]


# ----------------------------------------------------------------------------- sendMessage


async def test_get_me_reports_the_configured_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "samverkan_test_bot", True)


async def test_send_message_accepts_valid_html_and_records_it(bot: Bot, fake: FakeBotApi) -> None:
    text = "<b>Svar</b> &amp; <blockquote expandable>citat</blockquote>"
    message = await bot.send_message(1001, text, parse_mode="HTML", reply_markup=keyboard("p:1"))
    assert message.text == "Svar & citat"
    assert message.text_html == "<b>Svar</b> &amp; <blockquote expandable>citat</blockquote>"
    assert message.reply_markup == keyboard("p:1")
    sent = fake.messages_to(1001)
    assert [(m.message_id, m.text, m.parse_mode, m.edits) for m in sent] == [(1, text, "HTML", 0)]
    assert fake.calls_to("sendMessage")[0].params["chat_id"] == 1001


async def test_send_message_with_unsupported_tag_raises_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r'unsupported start tag "br" at byte offset 5'):
        await bot.send_message(1001, "rad 1<br>rad 2", parse_mode="HTML")


async def test_send_message_with_bare_ampersand_raises_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(1001, "Q&A", parse_mode="HTML")


async def test_plain_text_may_contain_markup_characters(bot: Bot) -> None:
    message = await bot.send_message(1001, "1 < 2 & <b>")
    assert message.text == "1 < 2 & <b>"


async def test_text_limit_counts_visible_characters_not_tags(bot: Bot) -> None:
    await bot.send_message(1001, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(1001, "&lt;" * 4096, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")


async def test_text_limit_counts_emoji_as_two_utf16_units(bot: Bot) -> None:
    await bot.send_message(1001, "😀" * 2048)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "😀" * 2048 + "a")


@pytest.mark.parametrize("text", ["", "   \n", "<b></b>", "<b> </b>"])
async def test_empty_text_after_parsing_raises_bad_request(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, text, parse_mode="HTML")


async def test_callback_data_limit_is_64_utf8_bytes(bot: Bot) -> None:
    await bot.send_message(1001, "ok", reply_markup=keyboard("å" * 32))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(1001, "too long", reply_markup=keyboard("å" * 33))


async def test_more_than_100_buttons_raise_bad_request(bot: Bot) -> None:
    await bot.send_message(1001, "ok", reply_markup=keyboard(*map(str, range(100))))
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(1001, "many", reply_markup=keyboard(*map(str, range(101))))


async def test_reply_to_unknown_message_raises_bad_request(bot: Bot, fake: FakeBotApi) -> None:
    asked = fake.user_says("hej")["message"]["message_id"]
    reply = await bot.send_message(1001, "svar", reply_to_message_id=asked)
    assert reply.reply_to_message.text == "hej"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(1001, "svar", reply_to_message_id=99)


# ----------------------------------------------------------------------------- edits


async def test_edit_updates_the_message_and_counts_edits(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(1001, "sida 1", reply_markup=keyboard("p:2"))
    edited = await bot.edit_message_text("<i>sida 2</i>", 1001, sent.message_id, parse_mode="HTML")
    assert edited.text == "sida 2"
    assert edited.edit_date is not None
    [current] = fake.messages_to(1001)
    assert (current.text, current.edits, current.reply_markup) == ("<i>sida 2</i>", 1, None)


async def test_identical_edit_raises_message_not_modified(bot: Bot) -> None:
    sent = await bot.send_message(1001, "<b>x</b>", parse_mode="HTML", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=NOT_MODIFIED):
        await bot.edit_message_text(
            "<strong>x</strong>",
            1001,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("a"),
        )


async def test_edit_with_new_keyboard_only_is_a_modification(bot: Bot) -> None:
    sent = await bot.send_message(1001, "x", reply_markup=keyboard("a"))
    await bot.edit_message_text("x", 1001, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=NOT_MODIFIED):
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard("b"))


async def test_edit_of_unknown_message_raises_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 1001, 42)


async def test_edit_of_inline_message_returns_true(bot: Bot) -> None:
    assert await bot.edit_message_text("x", inline_message_id="AAAB") is True


async def test_deleted_message_disappears(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(1001, "x")
    assert await bot.delete_message(1001, sent.message_id) is True
    assert fake.messages_to(1001) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(1001, sent.message_id)


# ----------------------------------------------------------------------------- callbacks, inline


async def test_callback_query_can_be_answered_once(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(1001, "fråga", reply_markup=keyboard("fb:1:+"))
    update = Update.de_json(
        fake.user_presses("fb:1:+", message_id=sent.message_id, chat_id=1001), bot
    )
    assert update.callback_query.message.text == "fråga"
    assert fake.unanswered_callbacks() == [update.callback_query.id]
    assert await update.callback_query.answer("Tack!") is True
    assert fake.answered_callbacks == [update.callback_query.id]
    assert fake.callback_answers[update.callback_query.id]["text"] == "Tack!"
    with pytest.raises(BadRequest, match=QUERY_TOO_OLD):
        await update.callback_query.answer()


async def test_unknown_callback_query_id_raises_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=QUERY_TOO_OLD):
        await bot.answer_callback_query("123")


async def test_callback_answer_text_over_200_chars_raises_bad_request(
    bot: Bot, fake: FakeBotApi
) -> None:
    sent = await bot.send_message(1001, "x", reply_markup=keyboard("a"))
    query_id = fake.user_presses("a", message_id=sent.message_id, chat_id=1001)["callback_query"]
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id["id"], text="x" * 201)


def test_pressing_a_button_on_an_unknown_message_is_a_test_bug(fake: FakeBotApi) -> None:
    with pytest.raises(LookupError):
        fake.user_presses("a", message_id=5, chat_id=1001)


async def test_inline_query_accepts_50_results(bot: Bot, fake: FakeBotApi) -> None:
    query_id = fake.inline_query("bidrag")["inline_query"]["id"]
    results = [article(str(i)) for i in range(50)]
    assert await bot.answer_inline_query(query_id, results, cache_time=0) is True
    assert len(fake.inline_answers[query_id]) == 50


async def test_inline_query_with_51_results_raises_results_too_much(
    bot: Bot, fake: FakeBotApi
) -> None:
    query_id = fake.inline_query("bidrag")["inline_query"]["id"]
    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query_id, [article(str(i)) for i in range(51)])


async def test_inline_result_ids_must_be_unique(bot: Bot, fake: FakeBotApi) -> None:
    query_id = fake.inline_query("x")["inline_query"]["id"]
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(query_id, [article("1"), article("1")])


async def test_inline_message_content_is_validated_like_send_message(
    bot: Bot, fake: FakeBotApi
) -> None:
    query_id = fake.inline_query("x")["inline_query"]["id"]
    content = InputTextMessageContent("<p>x</p>", parse_mode="HTML")
    bad = InlineQueryResultArticle("1", "titel", content)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.answer_inline_query(query_id, [bad])


# ----------------------------------------------------------------------------- updates


async def test_get_updates_offset_confirms_earlier_updates(bot: Bot, fake: FakeBotApi) -> None:
    ids = [fake.user_says(text)["update_id"] for text in ("a", "b", "c")]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()


async def test_get_updates_is_refused_while_a_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_command_entity_lengths_are_utf16(bot: Bot, fake: FakeBotApi) -> None:
    update = Update.de_json(fake.user_says("/sök@samverkan_test_bot 😀 @samverkan_test_bot"), bot)
    assert list(update.message.parse_entities().values()) == ["/s", "@samverkan_test_bot"]
    update = Update.de_json(fake.user_says("/ask@samverkan_test_bot vad?"), bot)
    assert list(update.message.parse_entities().values()) == ["/ask@samverkan_test_bot"]


async def test_user_edit_produces_edited_message(bot: Bot, fake: FakeBotApi) -> None:
    first = fake.user_says("hej", chat_type="supergroup")["message"]
    edited = Update.de_json(
        fake.user_edits(first["message_id"], "hejsan", chat_type="supergroup"), bot
    )
    assert edited.message is None
    assert edited.edited_message.text == "hejsan"
    assert edited.edited_message.chat.type == "supergroup"


async def test_user_reply_to_bot_message_carries_that_message(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(DEFAULT_GROUP, "svar", reply_markup=keyboard("a"))
    update = fake.user_says(
        "och mer?", chat_type="supergroup", reply_to_bot_message_id=sent.message_id
    )
    replied = Update.de_json(update, bot).message.reply_to_message
    assert (replied.message_id, replied.text, replied.from_user.id) == (
        sent.message_id,
        "svar",
        fake.bot_id,
    )


async def test_inline_message_button_press_has_no_message(bot: Bot, fake: FakeBotApi) -> None:
    update = Update.de_json(fake.user_presses_inline("p:2", inline_message_id="AAAB"), bot)
    assert update.callback_query.message is None
    assert await update.callback_query.edit_message_text("sida 2") is True
    assert await update.callback_query.answer() is True


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document"])
async def test_user_can_send_media(bot: Bot, fake: FakeBotApi, kind: str) -> None:
    message = Update.de_json(fake.user_sends(kind), bot).message
    assert message.text is None
    assert message.effective_attachment


async def test_application_command_handler_replies(fake: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Hej {context.args}")

    app = (
        Application.builder()
        .token(fake.token)
        .request(fake.make_request())
        .get_updates_request(fake.make_request())
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.process_update(Update.de_json(fake.user_says("/start faq"), app.bot))
    assert [m.text for m in fake.messages_to(1001)] == ["Hej ['faq']"]


# ----------------------------------------------------------------------------- failures, misc


async def test_scheduled_429_raises_retry_after_then_recovers(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3"):
        await bot.send_message(1001, "x")
    await bot.send_message(1001, "x")
    assert len(fake.calls_to("sendMessage")) == 2


async def test_scheduled_server_errors_raise_network_error(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(1001, "x")
    await bot.send_message(1001, "x")


async def test_wrong_token_raises_invalid_token(fake: FakeBotApi) -> None:
    other = Bot("999:WRONG", request=mock_request(fake), get_updates_request=mock_request(fake))
    with pytest.raises(InvalidToken):
        await other.get_me()


async def test_unknown_method_answers_404_not_found(fake: FakeBotApi) -> None:
    assert fake.handle("sendNonsense", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_commands_are_stored_per_scope_and_language(bot: Bot, fake: FakeBotApi) -> None:
    await bot.set_my_commands([BotCommand("start", "Börja")], language_code="sv")
    await bot.set_my_commands([BotCommand("ask", "Fråga")], scope=BotCommandScopeAllGroupChats())
    assert await bot.get_my_commands(language_code="sv") == (BotCommand("start", "Börja"),)
    assert await bot.get_my_commands() == ()
    groups = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert groups == (BotCommand("ask", "Fråga"),)
    assert fake.commands({"type": "all_group_chats"}) == [
        {"command": "ask", "description": "Fråga"}
    ]


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (BotCommand("Start", "x"), "Bot_command_invalid"),
        (BotCommand("a" * 33, "x"), "Bot_command_invalid"),
        (BotCommand("ok", "x" * 257), "Bot_command_description_invalid"),
    ],
)
async def test_invalid_commands_raise_bad_request(
    bot: Bot, command: BotCommand, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.set_my_commands([command])


async def test_chat_action_must_be_known(bot: Bot) -> None:
    assert await bot.send_chat_action(1001, "typing") is True
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(1001, "thinking")


async def test_multipart_uploads_are_decoded(bot: Bot, fake: FakeBotApi) -> None:
    await bot.set_webhook("https://example.org/hook", certificate=b"PEM DATA")
    params = fake.calls_to("setWebhook")[0].params
    assert params["url"] == "https://example.org/hook"
    assert params["certificate"].data == b"PEM DATA"


# ----------------------------------------------------------------------------- sendPhoto


def png(width: int, height: int) -> bytes:
    """A minimal valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


JPEG_640X480 = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    b"\xff\xd9"
)
"""A JPEG header with a baseline SOF0 frame of 640 x 480 (enough for the size check)."""


async def test_send_photo_uploads_a_picture_with_an_html_caption(
    bot: Bot, fake: FakeBotApi
) -> None:
    picture = png(1000, 750)
    message = await bot.send_photo(
        1001, picture, caption="<b>Rapport</b> 30 dagar", parse_mode="HTML"
    )

    assert message.caption == "Rapport 30 dagar"
    assert message.caption_entities[0].type == "bold"
    assert [(size.width, size.height) for size in message.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1000, 750),
    ]
    (sent,) = fake.messages_to(1001)
    assert sent.photo is not None
    assert sent.photo.data == picture
    assert (sent.text, sent.visible_text) == ("<b>Rapport</b> 30 dagar", "Rapport 30 dagar")
    assert fake.calls_to("sendPhoto")[0].params["photo"].data == picture


async def test_send_photo_without_caption_and_as_jpeg(bot: Bot, fake: FakeBotApi) -> None:
    message = await bot.send_photo(1001, JPEG_640X480)

    assert message.caption is None
    assert (message.photo[-1].width, message.photo[-1].height) == (640, 480)
    assert fake.messages_to(1001)[0].visible_text == ""


async def test_a_sent_photo_can_be_sent_again_by_file_id(bot: Bot, fake: FakeBotApi) -> None:
    first = await bot.send_photo(1001, png(20, 10))

    again = await bot.send_photo(1002, first.photo[-1].file_id)

    assert (again.photo[-1].width, again.photo[-1].height) == (20, 10)
    assert fake.messages_to(1002)[0].photo == fake.messages_to(1001)[0].photo
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_photo(1001, "no-such-file-id")


@pytest.mark.parametrize(
    ("photo", "error"),
    [
        (b"not a picture at all", "Image_process_failed"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "Image_process_failed"),
        (png(1, 40), "Photo_invalid_dimensions"),
        (png(6000, 5000), "Photo_invalid_dimensions"),
    ],
)
async def test_send_photo_refuses_what_telegram_cannot_read(
    bot: Bot, photo: bytes, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.send_photo(1001, photo)


async def test_send_photo_refuses_a_caption_over_1024_characters(bot: Bot) -> None:
    await bot.send_photo(1001, png(4, 4), caption="<b>x</b>" + "y" * 1023, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(1001, png(4, 4), caption="y" * 1025)


async def test_a_photo_message_has_no_text_to_edit(bot: Bot) -> None:
    message = await bot.send_photo(1001, png(4, 4), caption="bild")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("ny text", chat_id=1001, message_id=message.message_id)


def test_json_bodies_are_decoded_and_typed() -> None:
    request = httpx.Request("POST", "http://x/bot1:A/sendMessage", json={"chat_id": "5"})
    params = decode_body(request.headers["content-type"], request.read())
    assert params == {"chat_id": "5"}


# ----------------------------------------------------------------------------- HTTP server


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotApiServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with FakeBotApiServer() as the_server:
        yield the_server


@pytest.fixture
async def http_bot(server: FakeBotApiServer) -> AsyncIterator[Bot]:
    async with Bot(server.api.token, base_url=server.base_url) as the_bot:
        yield the_bot


async def test_server_serves_a_real_bot_over_http(http_bot: Bot, server: FakeBotApiServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    await http_bot.send_message(1001, "<b>hej</b>", parse_mode="HTML")
    assert [m.visible_text for m in server.api.messages_to(1001)] == ["hej"]
    with pytest.raises(BadRequest, match="unsupported start tag"):
        await http_bot.send_message(1001, "<x>", parse_mode="HTML")


async def test_server_takes_a_photo_upload_over_http(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    picture = png(300, 200)
    await http_bot.send_photo(1001, picture, caption="bild")
    (sent,) = server.api.messages_to(1001)
    assert sent.photo is not None
    assert (sent.photo.data, sent.visible_text) == (picture, "bild")


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    asyncio.get_running_loop().call_later(0.1, server.api.user_says, "hej")
    started = time.monotonic()
    updates = await http_bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["hej"]
    assert time.monotonic() - started < 1.0  # the server holds polls for up to 2 s


async def test_long_poll_waits_for_timeout_capped_by_server(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    server.max_poll_seconds = 0.3
    started = time.monotonic()
    assert await http_bot.get_updates(timeout=30) == ()
    assert 0.25 < time.monotonic() - started < 1.5
    started = time.monotonic()
    assert await http_bot.get_updates(timeout=0) == ()
    assert time.monotonic() - started < 0.3


async def test_newer_poll_terminates_older_one_with_conflict(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    older = asyncio.create_task(http_bot.get_updates(timeout=5))
    await server.wait_for(lambda: server.waiting_polls == 1)
    async with Bot(server.api.token, base_url=server.base_url) as second_instance:
        await second_instance.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await older


async def test_wait_for_returns_predicate_value_or_times_out(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    asyncio.get_running_loop().call_later(0.05, asyncio.ensure_future, http_bot.get_me())
    calls = await server.wait_for(lambda api: api.calls_to("getMe"), timeout=2)
    assert [c.method for c in calls] == ["getMe"]
    with pytest.raises(TimeoutError, match="getMe"):
        await server.wait_for(lambda api: api.calls_to("sendMessage"), timeout=0.05)


async def test_server_wrong_token_and_unknown_paths(server: FakeBotApiServer) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        wrong = await client.post(f"{server.base_url}1:NOPE/getMe")
        malformed = await client.get(f"http://127.0.0.1:{server.port}/favicon.ico")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert (malformed.status_code, malformed.json()["description"]) == (404, "Not Found")


async def test_polling_application_end_to_end(server: FakeBotApiServer) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("pong")

    app = Application.builder().token(server.api.token).base_url(server.base_url).build()
    app.add_handler(CommandHandler("ping", echo))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=1, poll_interval=0)
        update_id = server.api.user_says("/ping")["update_id"]
        await server.wait_for(lambda api: api.messages_to(1001), timeout=3)
        await app.updater.stop()
        await app.stop()
    last = server.api.calls_to("getUpdates")[-1].params
    assert (last["offset"], last["timeout"]) == (update_id + 1, 0)
    assert [m.text for m in server.api.messages_to(1001)] == ["pong"]


# ----------------------------------------------------------------------------- profile


async def test_descriptions_are_stored_per_language_and_limited(bot: Bot) -> None:
    await bot.set_my_description("Lång beskrivning", language_code="sv")
    await bot.set_my_short_description("Kort")
    assert (await bot.get_my_description(language_code="sv")).description == "Lång beskrivning"
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == "Kort"
    with pytest.raises(BadRequest, match="Description is too long"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match="Short description is too long"):
        await bot.set_my_short_description("x" * 121)


async def test_reply_markup_edit_keeps_the_text_and_counts_as_an_edit(
    bot: Bot, fake: FakeBotApi
) -> None:
    sent = await bot.send_message(1001, "svar", reply_markup=keyboard("a"))
    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard("a", "b"))
    (message,) = fake.messages_to(1001)
    assert (message.text, message.edits) == ("svar", 1)
    assert [row[0]["text"] for row in message.reply_markup["inline_keyboard"]] == ["a", "b"]
    with pytest.raises(BadRequest, match=NOT_MODIFIED):
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=keyboard("a", "b"))


async def test_a_forced_reply_is_kept_on_the_message(bot: Bot, fake: FakeBotApi) -> None:
    from telegram import ForceReply

    await bot.send_message(1001, "Vad saknades?", reply_markup=ForceReply(selective=True))
    (message,) = fake.messages_to(1001)
    assert message.reply_markup == {"force_reply": True, "selective": True}


# ----------------------------------------------------------------------------- webhooks


async def test_set_webhook_needs_https_and_a_valid_secret(bot: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="https url must be provided"):
        await bot.set_webhook("http://bot.example/hook")
    with pytest.raises(BadRequest, match="unallowed characters"):
        await bot.set_webhook("https://bot.example/hook", secret_token="no spaces")
    await bot.set_webhook("https://bot.example/hook", secret_token="s3cret_-")
    info = await bot.get_webhook_info()
    assert (info.url, fake.webhook_secret) == ("https://bot.example/hook", "s3cret_-")
    await bot.delete_webhook()
    assert (fake.webhook_url, fake.webhook_secret) == ("", "")


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what Telegram POSTs to it."""

    def __init__(self, failures: int = 0) -> None:
        self.posts: list[tuple[str, dict[str, str], dict]] = []
        self.failures = failures
        self.port = 0
        self._runner = None

    async def __aenter__(self) -> Receiver:
        from aiohttp import web

        async def hook(request: web.Request) -> web.Response:
            self.posts.append((request.path, dict(request.headers), await request.json()))
            if self.failures:
                self.failures -= 1
                return web.Response(status=500)
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/{tail:.*}", hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()


async def test_server_delivers_updates_by_post_in_order_and_retries_failures(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    server.retry_seconds = 0.01
    async with Receiver(failures=1) as receiver:
        server.route_webhook("https://bot.example", f"http://127.0.0.1:{receiver.port}")
        first = server.api.user_says("eins")["update_id"]
        await http_bot.set_webhook(
            "https://bot.example/tg/hook", secret_token="abc", allowed_updates=["message"]
        )
        second = server.api.user_says("zwei")["update_id"]
        await server.wait_for(lambda api: len(api.webhook_deliveries) == 2, timeout=5)
    assert server.api.webhook_deliveries == [first, second]
    assert server.api.webhook_errors == [
        "Wrong response from the webhook: 500 Internal Server Error"
    ]
    paths = [path for path, _, _ in receiver.posts]
    assert paths == ["/tg/hook"] * 3  # the first update twice: it failed once
    _, headers, body = receiver.posts[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "abc"
    assert (body["update_id"], body["message"]["text"]) == (first, "eins")
    assert server.api.pending_updates() == []
    assert (await http_bot.get_webhook_info()).pending_update_count == 0


async def test_updates_wait_while_the_webhook_is_unreachable_or_deleted(
    http_bot: Bot, server: FakeBotApiServer
) -> None:
    server.retry_seconds = 0.01
    await http_bot.set_webhook("https://nowhere.example/hook")
    update_id = server.api.user_says("hej")["update_id"]
    await server.wait_for(lambda api: api.webhook_errors, timeout=5)
    info = await http_bot.get_webhook_info()
    assert info.last_error_message == "Connection refused (no route to the webhook)"
    await http_bot.delete_webhook()
    updates = await http_bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [update_id]
    assert server.api.webhook_deliveries == []
