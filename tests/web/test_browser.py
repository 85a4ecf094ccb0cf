"""The chat page in a real browser: Debian's headless Chromium driven by Selenium.

Mouse and keyboard-only runs of the same path (ask, read a cited answer, page, open a full
passage, vote, ask off-topic, follow a suggestion), the same path with JavaScript switched
off, and axe-core (vendored in ``data/axe-core``) on the empty and an answered page.

Skipped, with a banner at the end of the run, only when Chromium or chromedriver is missing
(``make test`` installs them with apt when it can).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import LOG_FILENAME, QuestionLog
from tests.web.helpers import ANSWERED, OFF_TOPIC
from tests.web.live import browser_paths, chromium, live_server

pytestmark = pytest.mark.browser

if browser_paths() is None:
    pytest.skip(
        "BROWSER TESTS SKIPPED: chromium and chromedriver are not installed "
        "(apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

AXE = Path(__file__).parent / "data" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_service) -> Iterator[tuple[str, QuestionLog]]:
    data = tmp_path_factory.mktemp("web-data")
    settings = replace(Settings(), data_dir=data, questions_per_minute=1000)
    log = QuestionLog.open(data / LOG_FILENAME, secret="browser-test")
    with live_server(settings, real_service, log) as url:
        yield url, log
    log.close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


@pytest.fixture
def page(server, driver) -> WebDriver:
    """The empty Swedish page, freshly loaded, with JavaScript on."""
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    driver.get(server[0] + "?lang=sv")
    driver.get_log("browser")  # start each test with an empty console
    return driver


def wait(driver: WebDriver, condition, message: str):
    # The script swaps pieces of the page in while we look: a vanished element means "not yet".
    waiting = WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    return waiting.until(lambda d: condition(d), message)


def articles(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#answers > article")


def wait_for_new_article(driver: WebDriver, before: int) -> WebElement:
    wait(driver, lambda d: len(articles(d)) > before, "no new answer appeared")
    return articles(driver)[0]


def active(driver: WebDriver) -> WebElement:
    return driver.switch_to.active_element


def press(driver: WebDriver, *keys: str) -> None:
    active(driver).send_keys(*keys)


def tab_to(driver: WebDriver, matches, *, backwards: bool = False, limit: int = 80) -> WebElement:
    """Press Tab (or Shift+Tab) until the focused element matches; fail after ``limit``."""
    for _ in range(limit):
        press(driver, Keys.SHIFT + Keys.TAB if backwards else Keys.TAB)
        element = active(driver)
        if matches(element):
            return element
    raise AssertionError("never reached the element with the keyboard")


def console_errors(driver: WebDriver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def focus_ring(driver: WebDriver, element: WebElement) -> str:
    return driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + s.outlineWidth;",
        element,
    )


def status_text(driver: WebDriver) -> str:
    """What the live region says (an answer's summary is there for screen readers only)."""
    return driver.find_element(By.ID, "status").get_attribute("textContent")


def check_answer(article: WebElement) -> None:
    """A cited answer: three excerpts with marked words and a dated source line each."""
    results = article.find_elements(By.CSS_SELECTOR, "li.result")
    assert len(results) == 3
    assert results[0].find_elements(By.TAG_NAME, "mark") != []
    assert results[0].find_element(By.TAG_NAME, "cite").text != ""
    assert results[0].find_element(By.TAG_NAME, "time").get_attribute("datetime") != ""


def test_ask_page_read_vote_and_follow_a_suggestion_with_the_mouse(page):
    driver = page
    driver.find_element(By.ID, "question").send_keys(ANSWERED)
    driver.find_element(By.CSS_SELECTOR, "#ask button[type=submit]").click()
    article = wait_for_new_article(driver, 0)
    check_answer(article)
    assert article.get_attribute("lang") == "sv"
    assert article.find_element(By.TAG_NAME, "h2").text == f"Fråga: {ANSWERED}"
    wait(driver, lambda d: status_text(d).startswith("Svar på:"), "the live region said nothing")
    assert "visually-hidden" in driver.find_element(By.ID, "status").get_attribute("class")
    assert driver.find_element(By.ID, "question").get_attribute("value") == ""

    article.find_element(By.CSS_SELECTOR, "form.more button").click()
    wait(driver, lambda d: len(article.find_elements(By.CSS_SELECTOR, "li.result")) == 6, "more")
    fourth = article.find_elements(By.CSS_SELECTOR, "li.result")[3]
    assert active(driver) == fourth
    assert fourth.get_attribute("id").endswith("-r4")

    details = fourth.find_element(By.TAG_NAME, "details")
    passage = details.find_element(By.CSS_SELECTOR, ".passage-text")
    assert not passage.is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert passage.is_displayed()
    assert len(passage.text) > len(fourth.find_element(By.TAG_NAME, "blockquote").text) / 2

    article.find_element(By.CSS_SELECTOR, "form.feedback button[value=up]").click()
    wait(driver, lambda d: status_text(d) == "Tack för återkopplingen!", "no thanks")
    assert "visually-hidden" not in driver.find_element(By.ID, "status").get_attribute("class")
    pressed = article.find_element(By.CSS_SELECTOR, "form.feedback button[value=up]")
    assert pressed.get_attribute("aria-pressed") == "true"

    driver.find_element(By.ID, "question").send_keys(OFF_TOPIC, Keys.ENTER)
    refusal = wait_for_new_article(driver, 1)
    suggestions = refusal.find_elements(By.CSS_SELECTOR, "button.suggestion")
    assert refusal.find_element(By.CSS_SELECTOR, ".no-answer").is_displayed()
    assert len(suggestions) > 0
    picked = suggestions[0].text
    suggestions[0].click()
    followed = wait_for_new_article(driver, 2)
    assert followed.find_element(By.TAG_NAME, "h2").text == f"Fråga: {picked}"
    assert followed.find_elements(By.CSS_SELECTOR, "li.result") != []
    assert active(driver) == followed.find_element(By.TAG_NAME, "h2")
    assert console_errors(driver) == []


def test_the_same_path_with_the_keyboard_only(page):
    driver = page
    skip = tab_to(driver, lambda e: e.tag_name == "a")
    assert skip.text == "Hoppa till frågerutan"
    assert focus_ring(driver, skip).startswith("solid")
    press(driver, Keys.ENTER)
    field = active(driver)
    assert field.get_attribute("id") == "question"
    assert focus_ring(driver, field).startswith("solid")

    field.send_keys(ANSWERED, Keys.ENTER)
    article = wait_for_new_article(driver, 0)
    check_answer(article)
    more = tab_to(driver, lambda e: e.text.startswith("Visa fler svar"))
    assert focus_ring(driver, more).startswith("solid")
    press(driver, Keys.ENTER)
    wait(driver, lambda d: (active(d).get_attribute("id") or "").endswith("-r4"), "focus on [4]")

    summary = tab_to(driver, lambda e: e.tag_name == "summary")
    assert summary.text == "Hela stycket [4]"
    press(driver, Keys.ENTER)
    assert summary.find_element(By.XPATH, "..").get_attribute("open") == "true"

    tab_to(driver, lambda e: e.get_attribute("value") == "up")
    press(driver, Keys.SPACE)
    wait(driver, lambda d: status_text(d) == "Tack för återkopplingen!", "no thanks")
    assert active(driver).get_attribute("aria-pressed") == "true"

    field = tab_to(driver, lambda e: e.get_attribute("id") == "question", backwards=True)
    field.send_keys(OFF_TOPIC, Keys.ENTER)
    refusal = wait_for_new_article(driver, 1)
    suggestion = tab_to(driver, lambda e: "suggestion" in (e.get_attribute("class") or ""))
    assert suggestion in refusal.find_elements(By.CSS_SELECTOR, "button.suggestion")
    picked = suggestion.text
    press(driver, Keys.ENTER)
    followed = wait_for_new_article(driver, 2)
    assert followed.find_element(By.TAG_NAME, "h2").text == f"Fråga: {picked}"
    assert console_errors(driver) == []


def test_without_javascript_the_forms_post_and_the_server_renders(server, driver):
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(server[0] + "?lang=sv")
        field = driver.find_element(By.ID, "question")
        field.send_keys(ANSWERED, Keys.ENTER)
        wait(driver, lambda d: len(articles(d)) == 1, "no answer page")
        check_answer(articles(driver)[0])
        articles(driver)[0].find_element(By.CSS_SELECTOR, "form.more button").click()
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 6, "more")
        assert driver.current_url.endswith("-r4")
        driver.find_element(By.CSS_SELECTOR, "form.feedback button[value=down]").click()
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".thanks") != [], "no thanks")
        assert len(driver.find_elements(By.CSS_SELECTOR, "li.result")) == 6
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def run_axe(driver: WebDriver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));",
        AXE_TAGS,
    )
    return list(result)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in {"serious", "critical"}]


def test_axe_finds_nothing_serious_on_the_empty_page(page):
    violations = run_axe(page)
    print(f"axe on the empty page: {violations}")
    assert serious(violations) == []


def test_axe_finds_nothing_serious_on_an_answered_page(page):
    driver = page
    driver.find_element(By.ID, "question").send_keys(ANSWERED, Keys.ENTER)
    article = wait_for_new_article(driver, 0)
    article.find_element(By.CSS_SELECTOR, "form.more button").click()
    wait(driver, lambda d: len(article.find_elements(By.CSS_SELECTOR, "li.result")) == 6, "more")
    for summary in article.find_elements(By.TAG_NAME, "summary"):
        summary.click()
    article.find_element(By.CSS_SELECTOR, "form.feedback button[value=up]").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".thanks") != [], "no thanks")
    driver.find_element(By.ID, "question").send_keys(OFF_TOPIC, Keys.ENTER)
    wait_for_new_article(driver, 1)
    violations = run_axe(driver)
    print(f"axe on the answered page: {violations}")
    assert serious(violations) == []


def test_an_answered_page_reflows_at_320_pixels_without_sideways_scrolling(page):
    driver = page
    driver.set_window_size(320, 800)
    try:
        driver.find_element(By.ID, "question").send_keys(ANSWERED, Keys.ENTER)
        article = wait_for_new_article(driver, 0)
        article.find_element(By.TAG_NAME, "summary").click()
        width, overflow = driver.execute_script(
            "const root = document.documentElement;"
            "return [window.innerWidth, root.scrollWidth - root.clientWidth];"
        )
        assert (width, overflow) == (320, 0)
    finally:
        driver.set_window_size(1280, 900)
