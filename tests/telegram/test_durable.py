"""At-least-once answering in process: record before confirming, replay once, skip repeats."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError

from bot.config import Settings
from bot.service import QAService
from bot.store import JOURNAL_FILENAME, StoreError, UpdateJournal
from bot.telegram.app import App, build_application, post_init, post_shutdown
from tests.fakebotapi import FakeBotApi
from tests.telegram.helpers import RESERVED_QUESTION, sent

Factory = Callable[..., Any]


@pytest.fixture
async def make(
    fake: FakeBotApi, settings: Settings, tg_service: QAService
) -> AsyncIterator[Factory]:
    """Build started-up applications over one journal file; each is shut down afterwards."""
    apps: list[App] = []

    async def factory(journal: UpdateJournal | None = None) -> App:
        journal = journal or UpdateJournal.open(
            settings.data_dir / JOURNAL_FILENAME, bot=fake.token.partition(":")[0]
        )
        application = build_application(
            replace(settings),
            tg_service,
            request=fake.make_request(),
            get_updates_request=fake.make_request(),
            rate_limiter=False,
            retry_backoff=0.01,
            journal=journal,
        )
        await application.initialize()
        await post_init(application)
        apps.append(application)
        return application

    yield factory
    for application in apps:
        await post_shutdown(application)
        await application.shutdown()


async def drain(app: App) -> int:
    """Handle whatever post_init queued, as the running application would."""
    handled = 0
    while not app.update_queue.empty():
        await app.process_update(app.update_queue.get_nowait())
        handled += 1
    return handled


async def test_updates_are_on_disk_when_get_updates_returns(fake: FakeBotApi, make: Factory):
    app = await make()
    fake.user_says(RESERVED_QUESTION)
    updates = await app.bot.get_updates()
    journal = app.journal
    assert journal.counts()["pending"] == 1
    assert journal.finished(updates[0].update_id) is False


async def test_a_process_that_dies_before_answering_is_answered_by_the_next(
    fake: FakeBotApi, make: Factory, settings: Settings
):
    first = await make()
    fake.user_says(RESERVED_QUESTION)
    (update,) = await first.bot.get_updates()
    # The next getUpdates confirms the batch to Telegram; then the process dies unanswered.
    await first.bot.get_updates(offset=update.update_id + 1)
    assert fake.pending_updates() == []
    assert sent(fake) == []

    second = await make()
    assert await drain(second) == 1
    assert len(sent(fake)) == 1
    third = await make()
    assert await drain(third) == 0  # answered once, never again
    assert len(sent(fake)) == 1


async def test_a_redelivered_update_is_answered_once(fake: FakeBotApi, make: Factory):
    app = await make()
    fake.user_says(RESERVED_QUESTION)
    (update,) = await app.bot.get_updates()
    await app.process_update(update)
    (again,) = await app.bot.get_updates()  # not confirmed yet: Telegram sends it again
    await app.process_update(again)
    assert len(sent(fake)) == 1


async def test_replayed_and_redelivered_copies_give_one_answer(fake: FakeBotApi, make: Factory):
    first = await make()
    fake.user_says(RESERVED_QUESTION)
    await first.bot.get_updates()  # recorded, never confirmed: both copies come back
    second = await make()
    (redelivered,) = await second.bot.get_updates()
    await drain(second)
    await second.process_update(redelivered)
    assert len(sent(fake)) == 1


class BrokenJournal(UpdateJournal):
    def record(self, updates: Any, now: Any = None) -> int:
        raise StoreError("disk full")


async def test_updates_that_cannot_be_recorded_are_not_confirmed(
    fake: FakeBotApi, make: Factory, settings: Settings, tmp_path: Path
):
    journal = BrokenJournal.open(tmp_path / "broken.sqlite3", bot="123456")
    app = await make(journal)
    fake.user_says(RESERVED_QUESTION)
    with pytest.raises(NetworkError):
        await app.bot.get_updates()
    assert len(fake.pending_updates()) == 1  # Telegram still has it


async def test_an_update_without_reply_is_still_finished(fake: FakeBotApi, make: Factory):
    app = await make()
    fake.user_says("hej", chat_type="group")  # group chatter: no reply
    (update,) = await app.bot.get_updates()
    await app.process_update(update)
    assert app.journal.finished(update.update_id) is True
    assert isinstance(update, Update)


async def test_two_copies_arriving_together_give_one_answer(fake: FakeBotApi, make: Factory):
    import asyncio

    app = await make()
    fake.user_says(RESERVED_QUESTION)
    (update,) = await app.bot.get_updates()
    (again,) = await app.bot.get_updates()
    await asyncio.gather(app.process_update(update), app.process_update(again))
    assert len(sent(fake)) == 1
