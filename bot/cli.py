"""Command line: ``python -m bot [ask|chat|run|web|index|check|eval|import|bench|report|forget]``.

The only place that configures logging. Every command prints a short message and returns a
non-zero exit code on bad input instead of a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.commands import (
    cmd_ask,
    cmd_bench,
    cmd_chat,
    cmd_check,
    cmd_default,
    cmd_eval,
    cmd_forget,
    cmd_health,
    cmd_import,
    cmd_index,
    cmd_report,
    cmd_run,
    cmd_web,
)
from bot.config import ConfigError, load_settings


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """Add the options every command takes, before or after its name."""
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        default=default,
        help="knowledge folder (default: env KNOWLEDGE_DIR or ./knowledge)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=default,
        help="data folder for the index cache and logs (default: ./data)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="log debug messages",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one subcommand per task."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Samverkansboten: cited answers on idea-driven welfare (IOP, reserved "
        "contracts, agreements, Danish samskabelse). Without a command: Telegram if "
        "TELEGRAM_BOT_TOKEN is set, else a chat in the terminal.",
    )
    _common_options(parser, None)
    parser.set_defaults(func=cmd_default)
    # After a command the same options are accepted; SUPPRESS keeps an option given before
    # the command when it is not repeated after it.
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    ask = command("ask", help="answer one question")
    ask.add_argument("question", nargs="*", help='the question, e.g. "Hur startar vi ett IOP?"')
    ask.add_argument("--json", action="store_true", help="print exactly one JSON object")
    ask.add_argument(
        "--lang", choices=("sv", "da", "en"), help="answer language (default: the question's)"
    )
    ask.set_defaults(func=cmd_ask)

    command("chat", help="chat in the terminal").set_defaults(func=cmd_chat)
    run = command("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates by webhook at this public https:// URL (default: env "
        "TELEGRAM_WEBHOOK_URL; none means long polling)",
    )
    run.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="address the webhook server listens on (default: env BOT_WEBHOOK_LISTEN or "
        "127.0.0.1:8080)",
    )
    run.set_defaults(func=cmd_run)
    command(
        "health", help="check that the index loads and the question log is writable"
    ).set_defaults(func=cmd_health)
    web = command("web", help="serve the web chat page and JSON API")
    web.add_argument(
        "--host", help="address to listen on (default: env BOT_WEB_HOST or 127.0.0.1)"
    )
    web.add_argument(
        "--port", type=int, help="port to listen on (default: env BOT_WEB_PORT or 8080)"
    )
    web.set_defaults(func=cmd_web)
    index = command(
        "index", help="bring the search index up to date (only changed files are re-read)"
    )
    index.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    index.set_defaults(func=cmd_index)
    command("check", help="validate the knowledge folder").set_defaults(func=cmd_check)

    evaluate = command("eval", help="measure hit@k, MRR and abstention on the question sets")
    evaluate.add_argument("sets", nargs="*", help="YAML question sets (default: eval/**/*.yaml)")
    evaluate.add_argument(
        "--explain",
        nargs="?",
        const="all",
        choices=("all", "misses"),
        help="list every question (or only misses) with its coverage and top passages",
    )
    evaluate.add_argument(
        "--tune",
        action="store_true",
        help="grid-search the decision thresholds on the dev sets (never the held-out ones)",
    )
    evaluate.set_defaults(func=cmd_eval)

    imp = command("import", help="turn a PDF, DOCX, HTML or TXT file into a knowledge document")
    imp.add_argument("file", help="the file to import")
    imp.add_argument("--id", help="document id (default: from the title)")
    imp.add_argument("--kind", default="", help="document kind, e.g. agreement or contract")
    imp.add_argument("--force", action="store_true", help="overwrite an existing document")
    imp.set_defaults(func=cmd_import)

    bench = sub.add_parser(
        "bench", help="benchmark the index against rank_bm25 (prints a table)", add_help=False
    )
    # The benchmark parses its own options (see `python -m bot bench --help`); importing it
    # here would slow every other command down.
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)

    report = command("report", help="gap report from the question log")
    report.add_argument(
        "--days", type=int, default=30, help="period in days (default: 30; per week past 31)"
    )
    report.add_argument(
        "--lang", choices=("sv", "da", "en"), default="sv", help="report language (default: sv)"
    )
    report.add_argument(
        "--png",
        metavar="FILE",
        help="also draw the report as a PNG picture: outcomes per day or week, missing words",
    )
    report.set_defaults(func=cmd_report)

    forget = command("forget", help="delete one user's stored questions and votes")
    forget.add_argument(
        "user_id", type=int, help="the Telegram user id, or the id the web chat page shows"
    )
    forget.set_defaults(func=cmd_forget)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments (``sys.argv[1:]`` when None).

    Returns:
        The process exit code.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["bench"]:
        # The benchmark has its own options; argparse's REMAINDER would reject "--sizes".
        from bot.bench.run import main as bench_main

        return bench_main(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    env = dict(os.environ)
    if args.knowledge:
        env["KNOWLEDGE_DIR"] = args.knowledge
    if args.data:
        env["BOT_DATA_DIR"] = args.data
    try:
        settings = load_settings(env)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # The bot logs like a service (timestamps, LOG_LEVEL); one-shot commands print only
    # warnings, so their output stays what the user asked for.
    serving = args.func in (cmd_run, cmd_web) or (
        args.func is cmd_default and bool(settings.telegram_token)
    )
    if args.verbose:
        level = logging.DEBUG
    elif serving:
        level = getattr(logging, settings.log_level.upper(), logging.INFO)
    else:
        level = logging.WARNING
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        if serving
        else "%(levelname)s: %(message)s",
        level=level,
    )
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.service import KnowledgeUnavailable
    from bot.store import StoreError

    try:
        code = int(args.func(args, settings))
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`python -m bot ask … | head -1`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KnowledgeUnavailable as exc:
        print(f"error: no usable knowledge: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"error: question log: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
