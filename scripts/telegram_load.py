"""Load test: many users ask the real bot process questions through the fake Bot API.

Usage (from the repo root)::

    .venv/bin/python scripts/telegram_load.py                  # 1,000 questions, 100 users, 20 q/s
    .venv/bin/python scripts/telegram_load.py --rate 0         # closed loop: as fast as answered
    .venv/bin/python scripts/telegram_load.py --limit-demo     # plus a run with the default limit
    .venv/bin/python scripts/telegram_load.py --json           # machine-readable

This is a measuring script, not a test. It asserts nothing about timing. It exits 1 if any
question was lost, duplicated, incomplete, misrouted or not sent, and 0 otherwise.

How a run works:

1. ``FakeBotApiServer`` (tests/fakebotapi) listens on 127.0.0.1 in this process. Its API
   notes the arrival time, chat and text of every sendMessage.
2. ``python -m bot run`` starts as a subprocess against it with the bundled knowledge, a
   temporary data dir (so the question log is on, as in production) and
   ``BOT_QUESTIONS_PER_MINUTE`` high enough that the per-user limit refuses nothing. PTB's
   ``AIORateLimiter`` stays on, as in production. The run starts once the bot has registered
   its command menus and sent its first getUpdates.
3. Questions are the ``q`` fields of eval/*.yaml and eval/holdout/*.yaml, shuffled with a
   fixed seed and reused in a cycle. Each user's ``language_code`` is the question's ``lang``.
   Question ``i`` goes to user ``i % users``. Every user has a private chat (chat id = user
   id).
4. Users ask **sequentially**: a user sends its next question only after the whole reply to
   the previous one has arrived (or ``--reply-timeout`` passed). The schedule is
   **open loop at a steady rate** (``--rate``, default 20 q/s): question ``i`` is due at
   ``i / rate`` seconds. At 20 q/s and 100 users, each user asks every 5 s. If a user's
   previous reply is still missing when the next question is due, that question goes out late,
   and the lateness is reported as "send slip". ``--rate 0`` is a **closed loop**: all users
   ask at once, and each asks again as soon as it has its reply. That saturates the bot, so
   its throughput is the ceiling and its latency is mostly queueing.
5. Latency runs from ``user_says`` queueing the update to the fake receiving the first
   sendMessage of the reply. Both times are taken in this process with ``time.monotonic``.
6. "Exactly one answer": replies are matched by chat and time (an answer also replies to its
   question, but a refusal or a second message of a long answer need not). A question owns the messages that arrive in its chat between its update and the
   next question of the same user. The script renders every reply in-process with the same
   service and renderer as the bot (``QAService.ask`` plus ``render_answer``). That gives the
   number of messages per reply (one for every question in the eval files) and their exact
   HTML. A question is *lost* with no message, *duplicated* with more messages than its
   reply has, *incomplete* with fewer, and *misrouted* when its text is the reply to another
   question. The right number of messages with other text is *differs*. That is about
   content, not delivery: the bot's excerpt choice can change with ``PYTHONHASHSEED``, and
   a colleague may edit bot/ or knowledge/ while the script runs. It is reported, not
   failed.
7. The bot is stopped with SIGTERM. Its peak RSS (``VmHWM``) and CPU time are read from
   /proc just before.

``--limit-demo`` adds a short run with the default per-user limit (``questions_per_minute``,
10). Ten users each ask ``limit + 3`` questions, closed loop. It shows how refusals look:
the first refused question gets a polite "please wait N seconds" reply, and later refused
questions in the same window get no reply by design (the limiter notifies once per streak).

``--no-flood-limiter`` is a diagnostic only. It starts the bot with PTB's ``AIORateLimiter``
replaced by nothing, which is not how production runs. Use it to see how much of the
latency that limiter causes.

Everything is bounded: ``--timeout`` (default 600 s) stops sending and waiting, the bot is
killed if SIGTERM does not stop it within 15 s, and the fake server is always closed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import random
import re
import resource
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a plain script: make `bot` and `tests` importable

import yaml  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.service import EmptyQuestion, QAService  # noqa: E402
from bot.store import personal_case, personal_case_reply, redact  # noqa: E402
from bot.telegram.render import escape, render_answer, render_text  # noqa: E402
from bot.telegram.texts import choose_language, text  # noqa: E402
from tests.fakebotapi import FakeBotApi  # noqa: E402
from tests.fakebotapi.server import FakeBotApiServer  # noqa: E402

logger = logging.getLogger("telegram_load")

TOKEN = "123456:TEST"
KNOWLEDGE = REPO / "knowledge"
QUESTION_FILES = ("eval/*.yaml", "eval/holdout/*.yaml")
FIRST_USER_ID = 5_000_001
HIGH_LIMIT = 1000
"""BOT_QUESTIONS_PER_MINUTE for the main run: the per-user limit never refuses the load."""
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
SETTLE_SECONDS = 2.0
"""Wait after the last reply so that a late duplicate would still be seen."""
DEMO_USERS = 10
DEMO_EXTRA = 3
DEMO_REPLY_TIMEOUT = 3.0
# Builds the normal application with PTB's AIORateLimiter replaced by None (diagnostic only).
NO_FLOOD_LIMITER_BOOTSTRAP = (
    "import sys\n"
    "import bot.telegram.app as app\n"
    "app.AIORateLimiter = lambda **_: None\n"
    "from bot.cli import main\n"
    "sys.exit(main(['run']))\n"
)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    """One question and the Telegram language_code of the user who asks it."""

    text: str
    lang: str


def load_questions(root: Path = REPO) -> list[Question]:
    """Return every ``q`` of the evaluation files, in file order.

    Raises:
        SystemExit: If no question is found.
    """
    questions = []
    for pattern in QUESTION_FILES:
        for path in sorted(root.glob(pattern)):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item in data.get("questions") or []:
                if isinstance(item, dict) and str(item.get("q") or "").strip():
                    questions.append(Question(str(item["q"]), str(item.get("lang") or "sv")))
    if not questions:
        raise SystemExit(f"error: no questions in {', '.join(QUESTION_FILES)} under {root}")
    return questions


class ReplyOracle:
    """The reply the bot should send to a question, rendered in this process.

    It mirrors ``bot.telegram.core._answer_question`` for a user without a /lang choice
    and with the per-user limit not reached: language choice (the question's, as the
    service detects it), redaction and personal cases, the service and the renderer.
    """

    def __init__(self, knowledge_dir: Path, default_language: str = "sv") -> None:
        """Open the same knowledge as the bot (the index is built in memory)."""
        self.service = QAService.open(knowledge_dir)
        self.default_language = default_language
        self._cache: dict[Question, tuple[str, ...]] = {}

    def language(self, question: Question) -> str:
        """Return the language the bot answers ``question`` in."""
        return choose_language(
            None,
            question.lang,
            question.text,
            self.default_language,
            detect=self.service.detect_language,
        )

    def reply(self, question: Question) -> tuple[str, ...]:
        """Return the HTML of each message of the reply to ``question``."""
        cached = self._cache.get(question)
        if cached is not None:
            return cached
        language = self.language(question)
        screened = redact(question.text[:4096])
        if screened.personal_id or personal_case(screened.text):
            reply_text = personal_case_reply(language, number=screened.personal_id)
            chunks = render_text(escape(reply_text))
        else:
            try:
                answer = self.service.ask(screened.text, language=language)
            except EmptyQuestion:
                chunks = render_text(text(language, "ask_empty"))
            else:
                chunks = render_answer(answer, 0, "qid")
        reply = tuple(chunk.text for chunk in chunks)
        self._cache[question] = reply
        return reply


def _digits_blank(value: str) -> str:
    return re.sub(r"\d+", "N", value)


def is_refusal(html_text: str) -> bool:
    """Tell whether a message is the per-user limit's 'please wait N seconds' reply."""
    shape = _digits_blank(html_text)
    return any(
        shape == _digits_blank(text(language, "rate_limited", seconds=1))
        for language in ("sv", "da", "en")
    )


# --------------------------------------------------------------------------- the fake


@dataclass(frozen=True)
class Received:
    """One message the bot sent: when the fake got it, its id and its HTML."""

    at: float
    message_id: int
    text: str


class RecordingApi(FakeBotApi):
    """The fake Bot API that also notes, per chat, when each sendMessage arrived."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.received: dict[int, list[Received]] = defaultdict(list)
        self.failed_sends = 0
        self.methods: Counter[str] = Counter()
        self._arrived: dict[int, asyncio.Event] = {}

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer the call as the fake does; note successful sendMessage calls."""
        now = time.monotonic()
        status, payload = super().handle(method, params)
        self.methods[method] += 1
        if method.lower() != "sendmessage":
            return status, payload
        if status != 200:
            self.failed_sends += 1
            return status, payload
        result = payload["result"]
        chat_id = result["chat"]["id"]
        self.received[chat_id].append(
            Received(now, result["message_id"], str(self.calls[-1].params.get("text", "")))
        )
        event = self._arrived.get(chat_id)
        if event is not None:
            event.set()
        return status, payload

    async def wait_messages(self, chat_id: int, count: int, deadline: float) -> bool:
        """Wait until ``chat_id`` holds ``count`` bot messages; False at ``deadline``."""
        event = self._arrived.setdefault(chat_id, asyncio.Event())
        while len(self.received[chat_id]) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return True


# --------------------------------------------------------------------------- the bot process


class BotProcess:
    """``python -m bot run`` as a subprocess, with its log in a file."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(
        self, base_url: str, *, questions_per_minute: int | None, flood_limiter: bool
    ) -> None:
        """Start the bot against ``base_url`` with the bundled knowledge."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.upper().endswith("_PROXY") and not key.startswith(("TELEGRAM_", "BOT_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=base_url,
            NO_PROXY="127.0.0.1,localhost",
            BOT_DATA_DIR=str(self.workdir / "data"),
            BOT_CONFIG=str(self.workdir / "no-bot.yaml"),  # never pick up ./bot.yaml
            KNOWLEDGE_DIR=str(KNOWLEDGE),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if questions_per_minute is not None:
            env["BOT_QUESTIONS_PER_MINUTE"] = str(questions_per_minute)
        if flood_limiter:
            command = [sys.executable, "-m", "bot", "run"]
        else:
            command = [sys.executable, "-c", NO_FLOOD_LIMITER_BOOTSTRAP]
        with self.log.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                *command, cwd=REPO, env=env, stdout=sink, stderr=sink
            )

    @property
    def running(self) -> bool:
        """True while the process has not exited."""
        return self.process is not None and self.process.returncode is None

    def peak_rss_bytes(self) -> int | None:
        """Return the process's peak resident set size (VmHWM), None if unreadable."""
        return _proc_status_kb(self.process, "VmHWM")

    def cpu_seconds(self) -> float | None:
        """Return user + system CPU time of the process (all its threads) so far."""
        if self.process is None:
            return None
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after ``STOP_TIMEOUT``; return the exit code."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except asyncio.TimeoutError:
                logger.warning("The bot ignored SIGTERM for %.0f s; killing it", STOP_TIMEOUT)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        return process.returncode

    def tail(self, chars: int = 3000) -> str:
        """Return the end of the bot's log."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _proc_status_kb(process: asyncio.subprocess.Process | None, key: str) -> int | None:
    if process is None:
        return None
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class BotDied(Exception):
    """The bot process exited during a run."""


async def until(
    server: FakeBotApiServer,
    bot: BotProcess,
    predicate: Callable[[FakeBotApi], Any],
    what: str,
    timeout: float,
) -> None:
    """Wait for ``predicate`` while watching the bot process.

    Raises:
        BotDied: If the bot exits first.
        TimeoutError: If ``timeout`` passes first.
    """
    deadline = time.monotonic() + timeout
    while True:
        if not bot.running:
            raise BotDied(f"the bot exited while waiting for {what}:\n{bot.tail()}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"timed out waiting for {what}:\n{bot.tail()}")
        with contextlib.suppress(TimeoutError):
            await server.wait_for(predicate, timeout=min(0.5, remaining))
            return


# --------------------------------------------------------------------------- one run


@dataclass
class Asked:
    """One question of the run and what happened to it.

    ``outcome`` is set by :func:`classify`: answered, lost, duplicate, incomplete,
    misrouted, differs, refused, silent or not sent.
    """

    index: int
    user_id: int
    question: Question
    expected: tuple[str, ...]
    due: float = 0.0
    queued: float | None = None
    replies: list[Received] = field(default_factory=list)
    outcome: str = "not sent"

    @property
    def latency(self) -> float | None:
        """Seconds from queueing the update to the first message of the reply."""
        if self.queued is None or not self.replies:
            return None
        return self.replies[0].at - self.queued


@dataclass(frozen=True)
class RunConfig:
    """What one run does."""

    name: str
    questions: int
    users: int
    rate: float
    reply_timeout: float
    questions_per_minute: int | None
    flood_limiter: bool = True


@dataclass
class RunResult:
    """Everything measured in one run."""

    config: RunConfig
    asked: list[Asked]
    started: float
    finished: float
    bot_peak_rss: int | None
    bot_cpu_seconds: float | None
    bot_startup_cpu_seconds: float | None
    load_cpu_seconds: float
    failed_sends: int
    methods: dict[str, int]
    exit_code: int | None
    load_average: tuple[float, float]
    unmatched_messages: int
    timed_out: bool


def plan(
    questions: Sequence[Question], oracle: ReplyOracle, count: int, users: int, seed: int
) -> list[Asked]:
    """Shuffle the questions once; question ``i`` goes to user ``i % users``."""
    pool = list(questions)
    random.Random(seed).shuffle(pool)
    return [
        Asked(i, FIRST_USER_ID + i % users, pool[i % len(pool)], oracle.reply(pool[i % len(pool)]))
        for i in range(count)
    ]


async def _user(
    api: RecordingApi,
    mine: list[Asked],
    start: float,
    rate: float,
    reply_timeout: float,
    deadline: float,
) -> None:
    """Ask ``mine`` in order, each after the full reply to the previous one."""
    expected_total = 0
    for asked in mine:
        asked.due = start + asked.index / rate if rate > 0 else start
        pause = asked.due - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        if time.monotonic() >= deadline:
            return
        asked.queued = time.monotonic()
        api.user_says(
            asked.question.text,
            user_id=asked.user_id,
            language_code=asked.question.lang,
            first_name=f"User{asked.user_id - FIRST_USER_ID}",
        )
        expected_total += len(asked.expected)
        limit = min(deadline, time.monotonic() + reply_timeout)
        if not await api.wait_messages(asked.user_id, expected_total, limit):
            # Lost, refused, or slower than the timeout: count what did arrive and go on.
            expected_total = len(api.received[asked.user_id])


def classify(asked: Sequence[Asked]) -> None:
    """Set every question's outcome from the messages assigned to it.

    - answered: exactly the messages rendered in-process for it;
    - lost: no message; duplicate: more messages than its reply has; incomplete: fewer;
    - misrouted: the right count, but the text is the reply to a different question;
    - differs: the right count, but other text (e.g. another excerpt; not a delivery error);
    - refused: the per-user limit's polite reply; silent: no reply after a refusal with no
      answer in between (the limiter notifies once per streak, on purpose).
    """
    owners: dict[str, set[Question]] = defaultdict(set)
    for item in asked:
        if item.expected:
            owners[item.expected[0]].add(item.question)
    by_user: dict[int, list[Asked]] = defaultdict(list)
    for item in asked:
        by_user[item.user_id].append(item)
    for items in by_user.values():
        refused = False
        for item in sorted(items, key=lambda item: (item.queued is None, item.queued or 0.0)):
            item.outcome = _outcome(item, owners)
            if item.outcome == "refused":
                refused = True
            elif item.outcome == "lost" and refused:
                item.outcome = "silent"
            else:
                refused = False


def _outcome(item: Asked, owners: Mapping[str, set[Question]]) -> str:
    if item.queued is None:
        return "not sent"
    texts = tuple(message.text for message in item.replies)
    if not texts:
        return "lost"
    if len(texts) == 1 and is_refusal(texts[0]):
        return "refused"
    if len(texts) > len(item.expected):
        return "duplicate"
    if len(texts) < len(item.expected):
        return "incomplete"
    if texts == item.expected:
        return "answered"
    others = owners.get(texts[0], set())
    return "misrouted" if len(others) == 1 and item.question not in others else "differs"


def assign_replies(api: RecordingApi, asked: Sequence[Asked]) -> int:
    """Give each question the messages in its chat up to the next question's update.

    Returns:
        Messages that arrived in a chat before its first question (none are expected).
    """
    by_chat: dict[int, list[Asked]] = defaultdict(list)
    for item in asked:
        if item.queued is not None:
            by_chat[item.user_id].append(item)
    unmatched = sum(
        len(messages) for chat, messages in api.received.items() if chat not in by_chat
    )
    for chat_id, items in by_chat.items():
        items.sort(key=lambda item: item.queued or 0.0)
        bounds = [item.queued or 0.0 for item in items[1:]] + [float("inf")]
        for message in api.received.get(chat_id, []):
            if message.at < (items[0].queued or 0.0):
                unmatched += 1
                continue
            slot = next(k for k, bound in enumerate(bounds) if message.at < bound)
            items[slot].replies.append(message)
    return unmatched


async def run_once(
    config: RunConfig,
    questions: Sequence[Question],
    oracle: ReplyOracle,
    *,
    seed: int,
    deadline: float,
) -> RunResult:
    """Start the fake and the bot, push the questions, stop everything and measure."""
    asked = plan(questions, oracle, config.questions, config.users, seed)
    api = RecordingApi(token=TOKEN)
    load_cpu_before = _own_cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="telegram-load-") as workdir:
        bot = BotProcess(Path(workdir))
        server = FakeBotApiServer(api, max_poll_seconds=2.0)
        await server.start()
        timed_out = False
        peak_rss = cpu = startup_cpu = None
        exit_code = None
        started = finished = time.monotonic()
        pending: list[asyncio.Future[Any]] = []
        try:
            await bot.start(
                server.base_url,
                questions_per_minute=config.questions_per_minute,
                flood_limiter=config.flood_limiter,
            )
            await until(
                server,
                bot,
                lambda a: len(a.calls_to("setMyCommands")) >= 4,
                "the command menus",
                STARTUP_TIMEOUT,
            )
            await until(server, bot, lambda a: a.calls_to("getUpdates"), "getUpdates", 30)
            startup_cpu = bot.cpu_seconds()
            logger.info("%s: bot ready; sending %d questions", config.name, len(asked))

            per_user: dict[int, list[Asked]] = defaultdict(list)
            for item in asked:
                per_user[item.user_id].append(item)
            started = time.monotonic()
            users = asyncio.gather(
                *(
                    _user(api, mine, started, config.rate, config.reply_timeout, deadline)
                    for mine in per_user.values()
                )
            )
            watch = asyncio.ensure_future(bot.process.wait())  # type: ignore[union-attr]
            pending = [users, watch]
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if watch in done:
                raise BotDied(f"the bot exited during the run:\n{bot.tail()}")
            users.result()
            timed_out = time.monotonic() >= deadline
            await asyncio.sleep(min(SETTLE_SECONDS, max(0.0, deadline - time.monotonic())))
            finished = time.monotonic()
            peak_rss, cpu = bot.peak_rss_bytes(), bot.cpu_seconds()
        finally:
            for future in pending:
                future.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*pending, return_exceptions=True)
            if peak_rss is None and bot.running:
                peak_rss, cpu = bot.peak_rss_bytes(), bot.cpu_seconds()
            exit_code = await bot.stop()
            await server.stop()
        if exit_code not in (0, None):
            logger.warning("%s: the bot exited with %s:\n%s", config.name, exit_code, bot.tail())
    unmatched = assign_replies(api, asked)
    classify(asked)
    return RunResult(
        config=config,
        asked=asked,
        started=started,
        finished=finished,
        bot_peak_rss=peak_rss,
        bot_cpu_seconds=None if cpu is None or startup_cpu is None else cpu - startup_cpu,
        bot_startup_cpu_seconds=startup_cpu,
        load_cpu_seconds=_own_cpu_seconds() - load_cpu_before,
        failed_sends=api.failed_sends,
        methods=dict(api.methods),
        exit_code=exit_code,
        load_average=os.getloadavg()[:2],
        unmatched_messages=unmatched,
        timed_out=timed_out,
    )


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- reporting


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the ``q``-th percentile (0-100) with linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(result: RunResult) -> dict[str, Any]:
    """Turn a run into plain numbers (the JSON output and the table's source)."""
    outcomes = Counter(item.outcome for item in result.asked)
    latencies = [item.latency for item in result.asked if item.latency is not None]
    sent = [item for item in result.asked if item.queued is not None]
    replied = [item for item in sent if item.replies]
    first_sent = min((item.queued or 0.0 for item in sent), default=result.started)
    last_reply = max((item.replies[0].at for item in replied), default=first_sent)
    span = last_reply - first_sent
    config = result.config
    slips = [max(0.0, (item.queued or 0.0) - item.due) for item in sent] if config.rate else []
    per_user: dict[int, Counter[str]] = defaultdict(Counter)
    for item in result.asked:
        per_user[item.user_id][item.outcome] += 1
    return {
        "name": config.name,
        "questions": config.questions,
        "users": config.users,
        "mode": f"steady {config.rate:g} q/s" if config.rate > 0 else "closed loop",
        "questions_per_minute": config.questions_per_minute or Settings().questions_per_minute,
        "flood_limiter": config.flood_limiter,
        "sent": len(sent),
        "answered": outcomes["answered"],
        "lost": outcomes["lost"],
        "duplicates": outcomes["duplicate"],
        "incomplete": outcomes["incomplete"],
        "misrouted": outcomes["misrouted"],
        "differs": outcomes["differs"],
        "differing_questions": sorted(
            {item.question.text for item in result.asked if item.outcome == "differs"}
        ),
        "refused": outcomes["refused"],
        "silent": outcomes["silent"],
        "not_sent": outcomes["not sent"],
        "unmatched_messages": result.unmatched_messages,
        "failed_sends": result.failed_sends,
        "messages": sum(len(item.replies) for item in result.asked),
        "p50_ms": _ms(percentile(latencies, 50)),
        "p95_ms": _ms(percentile(latencies, 95)),
        "p99_ms": _ms(percentile(latencies, 99)),
        "max_ms": _ms(max(latencies, default=None)),
        "mean_ms": _ms(sum(latencies) / len(latencies) if latencies else None),
        "slip_p95_ms": _ms(percentile(slips, 95)),
        "slip_max_ms": _ms(max(slips, default=None)),
        "duration_s": round(span, 2),
        "throughput_qps": round(len(replied) / span, 1) if span > 0 else None,
        "bot_peak_rss_mb": _mb(result.bot_peak_rss),
        "bot_cpu_s": round(result.bot_cpu_seconds, 1) if result.bot_cpu_seconds else None,
        "bot_startup_cpu_s": (
            round(result.bot_startup_cpu_seconds, 1) if result.bot_startup_cpu_seconds else None
        ),
        "bot_cpu_ms_per_question": (
            round(1000 * result.bot_cpu_seconds / len(replied), 1)
            if result.bot_cpu_seconds and replied
            else None
        ),
        "load_script_cpu_s": round(result.load_cpu_seconds, 1),
        "bot_exit_code": result.exit_code,
        "timed_out": result.timed_out,
        "load_average": [round(value, 2) for value in result.load_average],
        "calls": result.methods,
        "per_user_outcomes": sorted(
            Counter(tuple(sorted(counts.items())) for counts in per_user.values()).items(),
            key=lambda pair: -pair[1],
        ),
    }


def dump(result: RunResult, path: Path) -> None:
    """Append one JSON line per question of ``result`` to ``path``."""
    with path.open("a", encoding="utf-8") as sink:
        for item in result.asked:
            record = {
                "run": result.config.name,
                "index": item.index,
                "user_id": item.user_id,
                "question": item.question.text,
                "lang": item.question.lang,
                "outcome": item.outcome,
                "queued": item.queued,
                "latency_ms": _ms(item.latency),
                "expected": list(item.expected),
                "received": [
                    {"at": message.at, "message_id": message.message_id, "text": message.text}
                    for message in item.replies
                ],
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _mb(n_bytes: int | None) -> float | None:
    return None if n_bytes is None else round(n_bytes / 1024**2, 1)


def machine() -> dict[str, Any]:
    """Describe the machine: CPUs, CPU model, RAM, OS, Python and PTB versions."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    import telegram

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpus_total": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_telegram_bot": telegram.__version__,
        "load_average_before": [round(value, 2) for value in os.getloadavg()],
    }


def _cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    return f"{value}{unit}"


def format_table(summaries: Sequence[dict[str, Any]]) -> str:
    """Render the runs as one Markdown table."""
    header = (
        "| run | load | per-user limit | flood limiter | sent | answered | lost | duplicates "
        "| incomplete/misrouted/differs | refused/silent | p50 | p95 | p99 | max | throughput "
        "| bot peak RSS | bot CPU |"
    )
    lines = [header, "|---|---|---:|---|" + "---:|" * 13]
    for s in summaries:
        lines.append(
            "| "
            + " | ".join(
                [
                    s["name"],
                    f"{s['questions']:,} q, {s['users']} users, {s['mode']}",
                    f"{s['questions_per_minute']}/min",
                    "on (30 msg/s)" if s["flood_limiter"] else "**off** (diagnostic)",
                    f"{s['sent']:,}",
                    f"{s['answered']:,}",
                    str(s["lost"]),
                    str(s["duplicates"]),
                    f"{s['incomplete']}/{s['misrouted']}/{s['differs']}",
                    f"{s['refused']}/{s['silent']}",
                    _cell(s["p50_ms"], " ms"),
                    _cell(s["p95_ms"], " ms"),
                    _cell(s["p99_ms"], " ms"),
                    _cell(s["max_ms"], " ms"),
                    _cell(s["throughput_qps"], " q/s"),
                    _cell(s["bot_peak_rss_mb"], " MB"),
                    f"{_cell(s['bot_cpu_s'], ' s')} "
                    f"({_cell(s['bot_cpu_ms_per_question'], ' ms/q')})",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def format_notes(summaries: Sequence[dict[str, Any]], host: Mapping[str, Any]) -> str:
    """Render the machine and the per-run details under the table."""
    lines = [
        f"- machine: {host['nproc']} CPUs usable of {host['cpus_total']} ({host['cpu']}), "
        f"{host['ram']} RAM, {host['os']}, Python {host['python']}, "
        f"python-telegram-bot {host['python_telegram_bot']}; "
        f"load average before: {host['load_average_before'][0]}",
    ]
    for s in summaries:
        parts = [
            f"{s['messages']:,} messages in {s['duration_s']} s (first update to last first "
            f"reply)",
            f"mean latency {_cell(s['mean_ms'], ' ms')}",
        ]
        if s["slip_p95_ms"] is not None:
            parts.append(
                f"send slip p95 {_cell(s['slip_p95_ms'], ' ms')}, "
                f"max {_cell(s['slip_max_ms'], ' ms')}"
            )
        parts += [
            f"failed sendMessage calls {s['failed_sends']}",
            f"messages before any question {s['unmatched_messages']}",
            f"not sent {s['not_sent']}",
            f"bot CPU for startup {_cell(s['bot_startup_cpu_s'], ' s')}",
            f"load script CPU (fake server included) {s['load_script_cpu_s']} s",
            f"bot exit code {s['bot_exit_code']}",
            f"load average after {s['load_average'][0]}",
        ]
        if s["timed_out"]:
            parts.append("**timed out**")
        if s["differs"]:
            parts.append(
                f"{s['differs']} replies differ from the in-process rendering, all to "
                + "; ".join(f"“{question}”" for question in s["differing_questions"][:3])
            )
        lines.append(f"- {s['name']}: " + "; ".join(parts))
        if s["name"].startswith("limit demo"):
            shapes = "; ".join(
                f"{users} users: " + ", ".join(f"{count} {outcome}" for outcome, count in shape)
                for shape, users in s["per_user_outcomes"]
            )
            lines.append(f"  - per user: {shapes}")
    return "\n".join(lines)


def healthy(summary: Mapping[str, Any]) -> bool:
    """Tell whether the run went as designed.

    The main run: every question got exactly one complete reply in its own chat. The limit
    demo: each user got ``limit`` answers and one polite refusal, and nothing was lost.
    """
    if summary["unmatched_messages"] or summary["not_sent"]:
        return False
    if not summary["name"].startswith("limit demo"):
        # "differs" is content (see classify), not delivery: it is reported, not failed.
        return bool(summary["answered"] + summary["differs"] == summary["questions"])
    users, limit = summary["users"], summary["questions_per_minute"]
    return bool(
        summary["answered"] == users * limit
        and summary["refused"] == users
        and summary["silent"] == summary["questions"] - users * (limit + 1)
    )


# --------------------------------------------------------------------------- main


async def run_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the main load (and the optional limit demo) within the overall timeout."""
    deadline = time.monotonic() + args.timeout
    questions = load_questions()
    logger.info("Rendering the expected replies to %d questions in-process", len(questions))
    oracle = ReplyOracle(KNOWLEDGE, Settings().default_language)
    for question in questions:
        oracle.reply(question)
    configs = [
        RunConfig(
            name="main" if args.flood_limiter else "main, no flood limiter",
            questions=args.questions,
            users=args.users,
            rate=args.rate,
            reply_timeout=args.reply_timeout,
            questions_per_minute=HIGH_LIMIT,
            flood_limiter=args.flood_limiter,
        )
    ]
    if args.limit_demo:
        limit = Settings().questions_per_minute
        configs.append(
            RunConfig(
                name="limit demo",
                questions=DEMO_USERS * (limit + DEMO_EXTRA),
                users=DEMO_USERS,
                rate=0,
                reply_timeout=DEMO_REPLY_TIMEOUT,
                questions_per_minute=None,
                flood_limiter=args.flood_limiter,
            )
        )
    summaries = []
    for config in configs:
        if time.monotonic() >= deadline:
            logger.warning("Overall timeout reached; skipping %s", config.name)
            break
        result = await run_once(config, questions, oracle, seed=args.seed, deadline=deadline)
        summaries.append(summarize(result))
        if args.dump is not None:
            dump(result, args.dump)
        logger.info("%s: done", config.name)
    return summaries


async def run_guarded(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run :func:`run_all` so that SIGINT/SIGTERM and the backstop timeout still clean up.

    Both signals cancel the run; the ``finally`` blocks then stop the bot and the server.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        return await asyncio.wait_for(run_all(args), args.timeout + 60)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test and print the results; 1 when a question was not answered once."""
    parser = argparse.ArgumentParser(
        prog="scripts/telegram_load.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--questions", type=int, default=1000, help="questions (default: 1000)")
    parser.add_argument("--users", type=int, default=100, help="users (default: 100)")
    parser.add_argument(
        "--rate",
        type=float,
        default=20.0,
        help="questions per second, steady (default: 20); 0 = closed loop, as fast as answered",
    )
    parser.add_argument(
        "--reply-timeout",
        type=float,
        default=60.0,
        help="seconds a user waits for a reply before asking on (default: 60)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="overall limit in seconds (default: 600)"
    )
    parser.add_argument("--seed", type=int, default=0, help="question shuffle seed (default: 0)")
    parser.add_argument(
        "--limit-demo",
        action="store_true",
        help="also run 10 users past the default per-user limit (about 15 s more)",
    )
    parser.add_argument(
        "--no-flood-limiter",
        dest="flood_limiter",
        action="store_false",
        help="diagnostic: start the bot without PTB's AIORateLimiter (not production)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--dump",
        type=Path,
        default=None,
        help="write every question, its outcome and the messages it got to this JSONL file",
    )
    args = parser.parse_args(argv)
    if args.questions < 1 or args.users < 1 or args.rate < 0 or args.timeout <= 0:
        parser.error("--questions and --users must be >= 1, --rate >= 0, --timeout > 0")

    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=logging.INFO,
        stream=sys.stderr,
    )
    # The bot's own modules log through the subprocess; here only our progress lines matter.
    for noisy in ("bot", "httpx", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    host = machine()
    try:
        summaries = asyncio.run(run_guarded(args))
    except asyncio.TimeoutError:
        print(f"error: gave up after {args.timeout + 60:.0f} s", file=sys.stderr)
        return 1
    except (BotDied, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; the bot and the fake server were stopped", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps({"machine": host, "runs": summaries}, indent=2, default=str))
    else:
        command = " ".join(["scripts/telegram_load.py", *(argv or sys.argv[1:])])
        print(f"command: .venv/bin/python {command}")
        print()
        print(format_table(summaries))
        print()
        print(format_notes(summaries, host))
    return 0 if all(healthy(summary) for summary in summaries) else 1


if __name__ == "__main__":
    raise SystemExit(main())
