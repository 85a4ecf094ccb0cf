"""How replies leave: in the chat's arrival order, as new messages or as edits of earlier ones.

Every way of replying marks the update being handled as answered, as soon as the reply is
out (:func:`bot.telegram.durable.reply_sent`), so that a restart does not answer it again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest

from bot.telegram.durable import reply_sent
from bot.telegram.order import wait_turn
from bot.telegram.render import Chunk


@dataclass(frozen=True)
class _Where:
    """Where a reply goes: chat, chat type, message to reply to, forum thread."""

    chat_id: int
    chat_type: str
    reply_to: int | None = None
    thread_id: int | None = None

    @classmethod
    def of(cls, message: Message, *, reply: bool = True) -> _Where:
        thread = message.message_thread_id if message.is_topic_message else None
        return cls(
            message.chat.id, message.chat.type, message.message_id if reply else None, thread
        )


async def _send(bot: Bot, where: _Where, chunks: Sequence[Chunk]) -> list[Message]:
    """Send messages in order; the first one replies to ``where.reply_to`` if set.

    The messages wait for the chat's turn (:func:`bot.telegram.order.wait_turn`), so that
    answers leave in the order the questions came. Once all are sent, the update being
    handled counts as answered (:func:`bot.telegram.durable.reply_sent`): a restart does not
    answer it again.
    """
    await wait_turn()
    sent = []
    for index, chunk in enumerate(chunks):
        reply = None
        if where.reply_to is not None and index == 0:
            reply = ReplyParameters(where.reply_to, allow_sending_without_reply=True)
        sent.append(
            await bot.send_message(
                chat_id=where.chat_id,
                text=chunk.text,
                reply_markup=chunk.keyboard,
                reply_parameters=reply,
                message_thread_id=where.thread_id,
            )
        )
    reply_sent()
    return sent


async def _edit(bot: Bot, chat_id: int, message_id: int, chunk: Chunk) -> bool:
    """Replace a message's text and buttons; False when the message is gone.

    An edit that changes nothing is no error. Like :func:`_send`, it marks the update
    answered.
    """
    await wait_turn()
    try:
        keyboard = chunk.keyboard if isinstance(chunk.keyboard, InlineKeyboardMarkup) else None
        await bot.edit_message_text(
            chunk.text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            if "not found" in str(exc).lower() or "can't be edited" in str(exc).lower():
                return False
            raise
    reply_sent()
    return True


async def _reply_or_edit(
    bot: Bot, where: _Where, chunks: Sequence[Chunk], previous: tuple[int, ...] = ()
) -> tuple[int, ...]:
    """Send a reply, or edit the earlier reply to the same (edited) message in place.

    The earlier reply's messages are reused in order; extra new chunks are sent, surplus
    old messages deleted. A reply that can no longer be edited is sent anew.

    Returns:
        The ids of the messages that now hold the reply.
    """
    if not previous:
        return tuple(message.message_id for message in await _send(bot, where, chunks))
    kept: list[int] = []
    for message_id, chunk in zip(previous, chunks, strict=False):
        if not await _edit(bot, where.chat_id, message_id, chunk):
            return tuple(message.message_id for message in await _send(bot, where, chunks))
        kept.append(message_id)
    if len(chunks) > len(previous):
        more = _Where(where.chat_id, where.chat_type, None, where.thread_id)
        kept += [m.message_id for m in await _send(bot, more, chunks[len(previous) :])]
    for message_id in previous[len(chunks) :]:
        with contextlib.suppress(BadRequest):
            await bot.delete_message(where.chat_id, message_id)
    return tuple(kept)
