"""Take the README's screenshot of the web chat: an answered question in headless Chromium.

Usage (from the repo root)::

    .venv/bin/python scripts/web_screenshot.py                    # writes docs/web-chat.png
    .venv/bin/python scripts/web_screenshot.py --question "Hvad er samskabelse?" --out x.png

Serves the chat over the bundled knowledge on 127.0.0.1 (no question log), asks the question
through the page's form, opens the first full passage, votes 👍 (when it was answered) and
saves the whole page.
Needs Debian's ``chromium`` and ``chromium-driver`` (``make test`` installs them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.service import QAService  # noqa: E402
from tests.web.live import chromium, live_server  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Take the screenshot; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--question", default="Hur startar vi ett IOP?")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "web-chat.png")
    parser.add_argument("--width", type=int, default=1000, help="window width (default 1000)")
    args = parser.parse_args(argv)

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    service = QAService.open(REPO / "knowledge")
    with tempfile.TemporaryDirectory() as scratch:
        settings = replace(Settings(), data_dir=Path(scratch) / "data")
        with (
            live_server(settings, service) as url,
            chromium(Path(scratch) / "profile", width=args.width, height=900) as driver,
        ):
            driver.get(url + "?lang=sv")
            driver.find_element(By.ID, "question").send_keys(args.question, Keys.ENTER)
            WebDriverWait(driver, 15).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "#answers article")
            )
            # An answered question: open the first passage and vote; a refusal has neither.
            for summary in driver.find_elements(By.CSS_SELECTOR, "#answers summary")[:1]:
                summary.click()
            for vote in driver.find_elements(By.CSS_SELECTOR, "form.feedback [value=up]"):
                vote.click()
                WebDriverWait(driver, 15).until(
                    lambda d: d.find_elements(By.CSS_SELECTOR, ".thanks")
                )
            driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(args.width, height + 120)
            time.sleep(0.3)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
