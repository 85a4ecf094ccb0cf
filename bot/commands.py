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

from bot.config import Settings

logger = logging.getLogger("bot")

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"


def _service(settings: Settings, *, cache: bool = True):  # type: ignore[no-untyped-def]
    from bot.service import QAService

    service = QAService.open(settings.knowledge_dir, settings.cache_dir if cache else None)
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
    directory = settings.knowledge_dir
    try:
        refreshed = refresh(directory, settings.cache_dir, full=getattr(args, "full", False))
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
    service = QAService(stored_knowledge(stored), stored_corpus(stored), cache=settings.cache_dir)
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
    for problem in knowledge.problems:
        print(problem)
    passages = sum(len(split_passages(document)) for document in knowledge.documents)
    status = "problems found" if knowledge.problems else "ok"
    print(
        f"{status}: {len(knowledge.documents)} documents, {passages} passages, "
        f"{len(knowledge.concepts)} glossary concepts, {len(knowledge.topics)} topics, "
        f"{len(knowledge.problems)} problems",
        file=sys.stderr if knowledge.problems else sys.stdout,
    )
    return 1 if knowledge.problems else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Run the question sets and print hit@1, hit@3, MRR and abstention accuracy."""
    from bot.quality import (
        HEADER,
        EvalSetError,
        Outcome,
        format_metrics,
        load_cases,
        run_cases,
        summarize,
    )

    paths = [Path(p) for p in args.sets] if args.sets else sorted(EVAL_DIR.glob("**/*.yaml"))
    if not paths:
        print("error: no evaluation sets found", file=sys.stderr)
        return 1
    service = _service(settings)
    print(HEADER)
    outcomes: list[Outcome] = []
    for path in paths:
        try:
            cases = load_cases([path])
        except EvalSetError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        metrics = run_cases(service, cases)
        outcomes.extend(metrics.outcomes)
        print(
            format_metrics(
                str(path.relative_to(EVAL_DIR)) if path.is_relative_to(EVAL_DIR) else path.name,
                metrics,
            )
        )
    total = summarize(outcomes)
    print(format_metrics("ALL", total))
    for language in ("sv", "da", "en"):
        subset = [o for o in outcomes if o.case.language == language]
        if subset:
            print(format_metrics(f"  language {language}", summarize(subset)))
    if args.tune:
        from bot.quality import tune_policy

        # Held-out questions measure generalisation; thresholds are never fitted to them.
        cases = load_cases([path for path in paths if "holdout" not in path.parts])
        best = tune_policy(service, cases, min_abstention=args.tune)
        print(
            f"best thresholds for abstention >= {args.tune}: min_evidence={best.min_evidence} "
            f"min_coverage={best.min_coverage} min_evidence_full={best.min_evidence_full} "
            f"-> hit@3 {best.hit3:.3f}, abstention {best.abstention:.3f}"
        )
    if args.explain:
        for outcome in outcomes:
            ok = (
                (not outcome.answered)
                if outcome.case.abstain
                else (outcome.rank is not None and outcome.rank <= 3)
            )
            if args.explain == "misses" and ok:
                continue
            print(
                f"{'ok  ' if ok else 'MISS'} ev={outcome.evidence:6.2f} "
                f"cov={outcome.coverage:4.2f} rank={outcome.rank} "
                f"{'[abstain]' if outcome.case.abstain else ''} {outcome.case.question!r} "
                f"-> {', '.join(outcome.top)}"
            )
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Telegram bot (long polling)."""
    from bot.telegram.run import run

    return run(settings)


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
        document = extract(source)
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


def _open_log(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.store import LOG_FILENAME, QuestionLog

    return QuestionLog.open(
        settings.data_dir / LOG_FILENAME,
        secret=settings.hmac_secret,
        retention_days=settings.retention_days,
    )


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Print the gap report from the question log."""
    from bot.store import build_report, format_report

    log = _open_log(settings)
    try:
        service = None
        try:
            service = _service(settings)
        except Exception as exc:
            logger.warning("no index for nearest passages: %s", exc)
        nearest = service.nearest if service is not None else None
        print(format_report(build_report(log, days=args.days, nearest=nearest), args.lang))
    finally:
        log.close()
    return 0


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    """Delete every stored question and vote of one Telegram user."""
    log = _open_log(settings)
    try:
        removed = log.forget_user(args.user_id)
    finally:
        log.close()
    print(f"deleted {removed} rows for user {args.user_id}")
    return 0
