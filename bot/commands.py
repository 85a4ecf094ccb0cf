"""What each command of ``python -m bot`` does; :mod:`bot.cli` parses the arguments.

Every command returns an exit code and prints a short message on bad input instead of a
traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, private_directory
from bot.progress import Progress

if TYPE_CHECKING:
    from bot.store import Report

logger = logging.getLogger("bot")

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"


def _service(settings: Settings, *, cache: bool = True):  # type: ignore[no-untyped-def]
    from bot.service import QAService

    cache_dir = settings.cache_dir if cache else None
    if cache:
        try:
            private_directory(settings.data_dir)
        except OSError as exc:
            logger.warning("no index cache: cannot create %s (%s)", settings.data_dir, exc)
            cache_dir = None
    service = QAService.open(settings.knowledge_dir, cache_dir)
    for problem in _one_per_file(service.knowledge.problems):
        print(f"warning: skipped {problem}", file=sys.stderr)
    return service


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question and print it (``--json`` for one JSON object)."""
    from bot.service import EmptyQuestion
    from bot.views import answer_json, answer_text

    question = " ".join(args.question)
    if not question.strip():
        print(
            'error: the question is empty; ask something, e.g. python -m bot ask "Vad är IOP?"',
            file=sys.stderr,
        )
        return 2
    service = _service(settings)
    try:
        answer = service.ask(question, language=args.lang)
    except EmptyQuestion:
        print("error: the question is empty after removing invisible characters", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer))
    return 0


_MORE = {"mer", "more", "mere", "m", "+"}
_QUIT = {"/quit", "/exit", "quit", "exit", "q", "/q"}


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Chat in the terminal: type questions; 'mer' shows more results; Ctrl-D or /quit ends."""
    from bot.service import EmptyQuestion
    from bot.views import answer_text

    service = _service(settings)
    stream_in: Callable[[str], str] = input
    print(
        f"Samverkansboten — {len(service.documents)} dokument. Ställ en fråga "
        "(svenska, dansk, English). 'mer' visar fler svar, /quit avslutar."
    )
    answer = None
    page = 0
    while True:
        try:
            line = stream_in("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        text = line.strip()
        if not text:
            continue
        if text.casefold() in _QUIT:
            return 0
        if text.casefold() in _MORE:
            if answer is None or (page + 1) * answer.page_size >= len(answer.results):
                print("(inga fler svar)")
                continue
            page += 1
            print(answer_text(answer, page))
            continue
        try:
            answer = service.ask(text)
        except EmptyQuestion:
            continue
        page = 0
        print(answer_text(answer))


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the stored index up to date and print its size and the time taken.

    Only changed files are analysed again; ``--full`` rebuilds everything.
    """
    from bot.knowledge import load_knowledge
    from bot.search import refresh
    from bot.search.corpus import stored_corpus
    from bot.search.index import EmptyIndexError
    from bot.search.update import stored_knowledge
    from bot.service import QAService

    started = time.perf_counter()
    progress = Progress.on_stderr()
    directory = settings.knowledge_dir
    try:
        private_directory(settings.data_dir)
    except OSError as exc:
        print(f"error: cannot create the data folder {settings.data_dir}: {exc}", file=sys.stderr)
        return 1
    try:
        full = getattr(args, "full", False)
        with progress.step("index brought up to date"):
            refreshed = refresh(directory, settings.cache_dir, full=full, progress=progress)
    except EmptyIndexError:
        knowledge = load_knowledge(directory)
        reason = f" ({knowledge.problems[0]})" if knowledge.problems else ""
        print(f"error: no usable documents in {directory}{reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write the index to {settings.cache_dir}: {exc}", file=sys.stderr)
        return 1
    stored = refreshed.stored
    # Opening the service once prepares the glossary tables, so the first question is fast.
    with progress.step("glossary tables prepared"):
        service = QAService(
            stored_knowledge(stored), stored_corpus(stored), cache=settings.cache_dir
        )
    for problem in _one_per_file(service.knowledge.problems):
        print(f"warning: skipped {problem}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    what = {"unchanged": "up to date", "incremental": "updated", "full": "rebuilt"}
    print(f"documents:  {len(service.corpus.documents)}")
    print(f"passages:   {stored.index.size}")
    print(f"vocabulary: {len(stored.index.vocabulary)} terms")
    print(f"version:    {stored.version} ({what[refreshed.how]})")
    print(f"cached in:  {stored.directory}")
    print(f"time:       {elapsed:.2f} s")
    return 0


def _one_per_file(problems: Sequence[object]) -> list[str]:
    seen: dict[str, str] = {}
    for problem in problems:
        path = str(getattr(problem, "path", ""))
        seen.setdefault(path, str(problem))
    return list(seen.values())


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the knowledge folder; print every problem as file:line: message."""
    from bot.knowledge import load_knowledge, split_passages

    knowledge = load_knowledge(settings.knowledge_dir)
    passages = [p for document in knowledge.documents for p in split_passages(document)]
    problems = knowledge.problems
    for problem in problems:
        print(problem)
    status = "problems found" if problems else "ok"
    print(
        f"{status}: {len(knowledge.documents)} documents, {len(passages)} passages, "
        f"{len(knowledge.concepts)} glossary concepts, {len(knowledge.topics)} topics, "
        f"{len(problems)} problems",
        file=sys.stderr if problems else sys.stdout,
    )
    return 1 if problems else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Print hit@1, hit@3, MRR and refusals per set, class and language, beside plain BM25."""
    from bot.quality import EvalSetError, load_cases
    from bot.quality.report import eval_report

    paths = [Path(p) for p in args.sets] if args.sets else sorted(EVAL_DIR.glob("**/*.yaml"))
    if not paths:
        print("error: no evaluation sets found", file=sys.stderr)
        return 1
    try:
        sets = [(_set_name(path), load_cases([path])) for path in paths]
    except EvalSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    service = _service(settings)
    progress = Progress.on_stderr()
    for line in eval_report(
        service, sets, tune=args.tune, explain=args.explain, progress=progress
    ):
        print(line, flush=True)
    return 0


def _set_name(path: Path) -> str:
    return str(path.relative_to(EVAL_DIR)) if path.is_relative_to(EVAL_DIR) else path.name


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Telegram bot (long polling, or a webhook with --webhook URL)."""
    from dataclasses import replace

    from bot.config import ConfigError, parse_setting
    from bot.telegram.run import run

    changes = {
        name: getattr(args, option)
        for option, name in (("webhook", "webhook_url"), ("listen", "webhook_listen"))
        if getattr(args, option, None)
    }
    try:
        changes = {name: parse_setting(name, value) for name, value in changes.items()}
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run(replace(settings, **changes))


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Say whether the index loads and the question log can be written (exit 0 or 1)."""
    from bot.health import check

    health = check(settings)
    for line in health.lines():
        print(line)
    return 0 if health.ok else 1


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the web chat page and JSON API until Ctrl-C or SIGTERM."""
    from bot.service import QAService
    from bot.store import LOG_FILENAME, QuestionLog, StoreError
    from bot.web.run import serve

    port = settings.web_port if args.port is None else args.port
    if not 0 <= port <= 65535:
        print(f"error: --port must be 0-65535, got {port}", file=sys.stderr)
        return 2
    service = QAService.open(settings.knowledge_dir, settings.cache_dir)
    try:
        question_log = QuestionLog.open(
            settings.data_dir / LOG_FILENAME,
            secret=settings.hmac_secret,
            retention_days=settings.retention_days,
        )
    except StoreError as exc:
        logger.warning("Question log unavailable, questions are not recorded: %s", exc)
        question_log = None
    try:
        return serve(settings, service, question_log, host=args.host, port=port)
    finally:
        if question_log is not None:
            question_log.close()


def cmd_default(args: argparse.Namespace, settings: Settings) -> int:
    """Telegram when a token is configured, else the terminal chat."""
    if settings.telegram_token:
        return cmd_run(args, settings)
    return cmd_chat(args, settings)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Turn a PDF, DOCX, HTML or TXT file into a knowledge document."""
    # The readers import pypdf, python-docx and trafilatura only when needed; a missing one
    # is reported as ImportFailed with the pip command to run.
    from bot.knowledge.importers import ImportFailed, extract, import_file

    source = Path(args.file)
    try:
        document = extract(source, Progress.on_stderr())
        path = import_file(
            source,
            settings.knowledge_dir,
            doc_id=args.id,
            force=args.force,
            kind=args.kind,
            extracted=document,
        )
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in document.notes:
        print(f"note: {note}")
    print(f"wrote {path}")
    print(
        "next: fill in kind, topics and url (the file did not say), then run: python -m bot check"
    )
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Benchmark the index at growing sizes against rank_bm25."""
    from bot.bench.run import main as bench_main

    return bench_main(args.bench_args)


def _open_log(settings: Settings, *, create: bool = True):  # type: ignore[no-untyped-def]
    from bot.store import LOG_FILENAME, QuestionLog

    return QuestionLog.open(
        settings.data_dir / LOG_FILENAME,
        secret=settings.hmac_secret,
        retention_days=settings.retention_days,
        create=create,
    )


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Print the gap report from the question log (``--png FILE`` also draws it)."""
    from bot.store import build_report, format_report

    if args.days < 1:
        print(f"error: --days must be at least 1, got {args.days}", file=sys.stderr)
        return 2
    log = _open_log(settings)
    try:
        service = None
        try:
            service = _service(settings)
        except Exception as exc:
            logger.warning("no index for nearest passages: %s", exc)
        nearest = service.nearest if service is not None else None
        report = build_report(log, days=args.days, nearest=nearest)
    finally:
        log.close()
    print(format_report(report, args.lang))
    if args.png:
        return _write_picture(report, args.lang, Path(args.png))
    return 0


def _write_picture(report: Report, language: str, path: Path) -> int:
    """Draw the report into ``path`` (replaced whole, never left half-written)."""
    from bot.store import ChartUnavailable, render_png

    try:
        data = render_png(report, language)
    except ChartUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    partial = path.with_name(f".{path.name}.tmp")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        print(f"error: cannot write {path} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    print(f"picture: {path}", file=sys.stderr)
    return 0


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    """Delete every stored question and vote of one Telegram user or web chat browser.

    Only the deployment's existing log is opened (nothing is created): a wrong ``--data`` or
    a missing or different secret is an error, not "deleted 0 rows".
    """
    log = _open_log(settings, create=False)
    try:
        removed = log.forget_user(args.user_id)
    finally:
        log.close()
    if removed == 0:
        print(f"no stored questions or votes for user {args.user_id}; nothing deleted")
    else:
        print(f"deleted {removed} rows for user {args.user_id}")
    return 0
