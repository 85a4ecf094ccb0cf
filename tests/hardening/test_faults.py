"""Faults: Bot API errors, network failures mid-conversation and a failing question log.

Bot API errors (429, 5xx) come from the fake core (``fail_next``). Network failures are raised
by :class:`FaultyNetwork`, an ``httpx.MockTransport`` handler in front of the fake that throws
``httpx.ReadTimeout``, ``httpx.RemoteProtocolError`` or ``httpx.ConnectError`` for chosen
calls, before the fake sees the request or after it has handled it (the answer is lost on the
way back). The question log faults use a real SQLite file: locked by another connection, or
full (``PRAGMA max_page_count``, which makes SQLite fail exactly as on a full disk).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from telegram.request import HTTPXRequest

from bot.store.log import LOG_FILENAME, QuestionLog
from bot.telegram.app import ALLOWED_UPDATES, App
from tests.fakebotapi import FakeBotApi
from tests.hardening.helpers import Ledger, MakeApp, feed, replies
from tests.telegram.helpers import RESERVED_QUESTION, UNKNOWN_QUESTION, button_data

APOLOGY = "Förlåt, något gick fel"
NetworkFault = type[httpx.TransportError]


class FaultyNetwork:
    """An httpx handler in front of the fake that fails chosen Bot API calls."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self._plan: dict[str, deque[tuple[NetworkFault, bool]]] = {}
        self.injected: list[tuple[str, str, bool]] = []

    def fail(
        self, method: str, error: NetworkFault, *, delivered: bool = False, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` raise ``error``.

        Args:
            method: Bot API method, e.g. "sendMessage".
            error: The httpx exception class to raise.
            delivered: Let the fake handle the call first, so only the answer is lost.
            times: How many consecutive calls fail.
        """
        queue = self._plan.setdefault(method.lower(), deque())
        queue.extend((error, delivered) for _ in range(times))

    def pending(self) -> int:
        """Faults scheduled but not yet injected."""
        return sum(len(queue) for queue in self._plan.values())

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Serve one request: inject the next scheduled fault, else ask the fake."""
        method = request.url.path.rsplit("/", 1)[-1]
        queue = self._plan.get(method.lower())
        if queue:
            error, delivered = queue.popleft()
            if delivered:
                await self.fake.handle_httpx(request)
            self.injected.append((method, error.__name__, delivered))
            raise error(f"injected {error.__name__}", request=request)
        return await self.fake.handle_httpx(request)

    def request(self) -> HTTPXRequest:
        """A PTB request whose every call passes through this handler."""
        transport = httpx.MockTransport(self.handle)
        return HTTPXRequest(httpx_kwargs={"transport": transport, "trust_env": False})


@pytest.fixture
def network(fake: FakeBotApi) -> FaultyNetwork:
    return FaultyNetwork(fake)


Schedule = Callable[[FakeBotApi, FaultyNetwork], None]

SEND_FAULTS: dict[str, Schedule] = {
    "sendMessage 429 flood control": lambda f, n: f.fail_next("sendMessage", retry_after=1),
    "sendMessage 500": lambda f, n: f.fail_next("sendMessage", status=500),
    "sendMessage 502 twice": lambda f, n: f.fail_next("sendMessage", status=502, times=2),
    "sendMessage read timeout": lambda f, n: n.fail("sendMessage", httpx.ReadTimeout),
    "sendMessage connection reset": lambda f, n: n.fail("sendMessage", httpx.RemoteProtocolError),
    "sendMessage connect error": lambda f, n: n.fail("sendMessage", httpx.ConnectError),
    "sendMessage timeout then 503": lambda f, n: (
        n.fail("sendMessage", httpx.ReadTimeout),
        f.fail_next("sendMessage", status=503),
    ),
}


@pytest.mark.parametrize("name", list(SEND_FAULTS))
async def test_a_failed_send_is_retried_and_answered_exactly_once(
    fake: FakeBotApi, network: FaultyNetwork, make_app: MakeApp, ledger: Ledger, name: str
):
    app = await make_app(request=network.request())
    SEND_FAULTS[name](fake, network)
    await feed(app, fake.user_says(RESERVED_QUESTION))
    (answer,) = replies(fake, 1001)
    assert answer.visible_text.startswith("Ur källorna")
    assert network.pending() == 0
    assert not fake.has_scheduled_failure("sendMessage")
    ledger.fault(name)


async def test_a_reset_after_delivery_may_repeat_an_answer_but_never_loses_it(
    fake: FakeBotApi, network: FaultyNetwork, make_app: MakeApp, ledger: Ledger
):
    app = await make_app(request=network.request())
    network.fail("sendMessage", httpx.RemoteProtocolError, delivered=True)
    await feed(app, fake.user_says(RESERVED_QUESTION))
    answers = replies(fake, 1001)
    # Telegram got the message but the bot never heard back: resending is the only safe
    # choice, so the user sees the answer twice rather than never.
    assert [a.visible_text for a in answers] == [answers[0].visible_text] * 2
    ledger.fault("sendMessage reset after delivery")


async def test_buttons_survive_timeouts_and_server_errors(
    fake: FakeBotApi, network: FaultyNetwork, make_app: MakeApp, ledger: Ledger
):
    app = await make_app(request=network.request())
    await feed(app, fake.user_says(RESERVED_QUESTION))
    (answer,) = replies(fake, 1001)
    network.fail("answerCallbackQuery", httpx.ReadTimeout)
    fake.fail_next("answerCallbackQuery", status=500)
    press = fake.user_presses(
        button_data(answer, "fb:")[0], message_id=answer.message_id, chat_id=1001
    )
    await feed(app, press)
    assert fake.callback_answers[press["callback_query"]["id"]]["text"] == (
        "Tack! 👍 är sparad. Tryck på den andra för att ändra."
    )
    ledger.fault("answerCallbackQuery timeout and 500")


async def test_exhausted_retries_are_logged_and_the_bot_keeps_answering(
    fake: FakeBotApi,
    network: FaultyNetwork,
    make_app: MakeApp,
    ledger: Ledger,
    caplog: pytest.LogCaptureFixture,
):
    app = await make_app(request=network.request())
    network.fail("sendMessage", httpx.ConnectError, times=8)  # the answer and the apology
    await feed(app, fake.user_says(RESERVED_QUESTION))
    assert replies(fake, 1001) == []
    assert "Error while handling an update" in caplog.text
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=1002))
    assert replies(fake, 1002)[0].visible_text.startswith("Ur källorna")
    ledger.fault("Telegram unreachable for 8 tries (logged, next question answered)")


async def test_a_conversation_over_a_flaky_network_answers_every_question_once(
    fake: FakeBotApi, network: FaultyNetwork, make_app: MakeApp, ledger: Ledger
):
    app = await make_app(request=network.request(), get_updates_request=network.request())
    await app.updater.start_polling(poll_interval=0.02, timeout=0, allowed_updates=ALLOWED_UPDATES)
    await app.start()
    users = list(range(2001, 2013))
    try:
        await fake_and_network_faults(fake, network)
        for number, user in enumerate(users):
            question = UNKNOWN_QUESTION if number % 4 == 3 else RESERVED_QUESTION
            fake.user_says(question, user_id=user)
            await asyncio.sleep(0.05)
        await wait_until(fake, lambda: all(fake.messages_to(user) for user in users), seconds=25)
        await asyncio.sleep(0.2)  # a duplicate would arrive now
    finally:
        await app.updater.stop()
        await app.stop()
    counts = [len(replies(fake, user)) for user in users]
    lost = counts.count(0)
    ledger.burst(len(users), lost)
    assert counts == [1] * len(users)
    assert network.pending() == 0
    assert not fake.has_scheduled_failure("getUpdates")
    for method, error, delivered in network.injected:
        after = " after delivery" if delivered else ""
        ledger.fault(f"{method} {error}{after} mid-conversation")
    ledger.fault("getUpdates 429 and 500 mid-conversation")


async def fake_and_network_faults(fake: FakeBotApi, network: FaultyNetwork) -> None:
    """Schedule the faults of the flaky conversation."""
    fake.fail_next("getUpdates", status=500)
    network.fail("getUpdates", httpx.ReadTimeout)
    network.fail("getUpdates", httpx.RemoteProtocolError, delivered=True)
    network.fail("getUpdates", httpx.ConnectError)
    fake.fail_next("getUpdates", status=429, retry_after=1)
    network.fail("sendMessage", httpx.ReadTimeout)
    network.fail("sendMessage", httpx.RemoteProtocolError)
    fake.fail_next("sendMessage", status=502)
    network.fail("sendMessage", httpx.ConnectError)


async def wait_until(fake: FakeBotApi, condition: Callable[[], bool], seconds: float) -> None:
    """Wait until ``condition`` holds, re-checking after every call the fake answers."""
    changed = asyncio.Event()

    def listener(_: str) -> None:
        changed.set()

    fake.add_listener(listener)
    try:
        async with asyncio.timeout(seconds):
            while not condition():
                changed.clear()
                await changed.wait()
    finally:
        fake.remove_listener(listener)


# --------------------------------------------------------------------------- question log


def stored(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, question, answered FROM questions ORDER BY id").fetchall()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


async def ask_many(app: App, fake: FakeBotApi, users: range, question: str) -> None:
    for user in users:
        await feed(app, fake.user_says(question, user_id=user))


def answered_once(fake: FakeBotApi, users: range) -> bool:
    return all(
        len(messages := replies(fake, user)) == 1
        and not messages[0].visible_text.startswith(APOLOGY)
        for user in users
    )


async def test_a_locked_question_log_never_blocks_answers_or_loses_stored_rows(
    fake: FakeBotApi,
    make_app: MakeApp,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    ledger: Ledger,
):
    path = tmp_path / "data" / LOG_FILENAME
    log = QuestionLog.open(path, secret="s", busy_timeout=0.05)
    app = await make_app(question_log=log)
    await ask_many(app, fake, range(1, 4), RESERVED_QUESTION)
    before = stored(path)

    blocker = sqlite3.connect(path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        await ask_many(app, fake, range(4, 6), RESERVED_QUESTION)
        (answer,) = replies(fake, 4)
        press = fake.user_presses(
            button_data(answer, "fb:")[1], message_id=answer.message_id, chat_id=4, user_id=4
        )
        await feed(app, press)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await ask_many(app, fake, range(6, 7), RESERVED_QUESTION)
    log.close()

    assert answered_once(fake, range(1, 7))
    assert fake.callback_answers[press["callback_query"]["id"]]["text"].startswith("Tack")
    assert "Question not logged (OperationalError: database is locked)" in caplog.text
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    after = stored(path)
    assert after[:3] == before
    assert len(after) == 4
    assert integrity(path) == "ok"
    ledger.fault("question log locked")


async def test_a_full_disk_never_blocks_answers_or_loses_stored_rows(
    fake: FakeBotApi,
    make_app: MakeApp,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    ledger: Ledger,
):
    path = tmp_path / "data" / LOG_FILENAME
    log = QuestionLog.open(path, secret="s")
    app = await make_app(question_log=log)
    await ask_many(app, fake, range(1, 4), RESERVED_QUESTION)

    connection = log._connection  # the log's own connection: the limit is per connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    filler = "fyllnad " * 400
    # Fill what free space is left, as the disk would fill up.
    for user in range(100, 130):
        if (
            log.record_question(
                user_id=user,
                chat_type="private",
                language="sv",
                question=filler,
                answered=False,
                results=[],
                index_version="v",
            )
            is None
        ):
            break
    else:
        pytest.fail("the page limit never filled up")
    before = stored(path)
    caplog.clear()

    long_question = RESERVED_QUESTION + " " + "utförligt " * 300
    await ask_many(app, fake, range(4, 7), long_question)
    (answer,) = replies(fake, 4)
    press = fake.user_presses(
        button_data(answer, "fb:")[0], message_id=answer.message_id, chat_id=4, user_id=4
    )
    await feed(app, press)
    connection.execute("PRAGMA max_page_count = 1073741823")
    await ask_many(app, fake, range(7, 8), long_question)
    log.close()

    assert answered_once(fake, range(1, 8))
    assert fake.callback_answers[press["callback_query"]["id"]]["text"].startswith("Tack")
    assert "database or disk is full" in caplog.text
    after = stored(path)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    assert integrity(path) == "ok"
    ledger.fault("question log disk full")
