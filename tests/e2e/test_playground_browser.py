"""`hipcoach playground` in a real browser: headless Chromium (Debian's chromium and chromedriver)
driven by Selenium, through the page only, as a visitor would use it.

One walk through the product: a member onboards by pressing buttons and typing, does a whole
session, sees the /progress chart, moves the clock to their next reminder and gets it; then the
coach group (seeded with `--seed demo`) runs /dashboard from the command menu: Robin, the admin,
gets it and Priya's missed-days alert in his private chat; the group and Jo, who is not an admin,
see no member's data. Every wait is for something to appear on the page. A failing step leaves
a screenshot in `test-screenshots/`.
Set HIPCOACH_SCREENSHOT=docs/playground.png to refresh the README's picture.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.playground.web import ALEX, GROUP_CHAT_ID, JO, ROBIN, SAM
from tests.member_chat import noon_offset

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (  # noqa: E402
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_TIMEOUT = 120.0  # seeding three weeks of history for three members, on a loaded machine
WAIT = 30.0
SCREENSHOTS = Path("test-screenshots")
PHONE = (412, 860)
DESKTOP = (1000, 680)
# Everything the playground process printed (its log), saved beside a failure's screenshot.
OUTPUT: list[str] = []


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hipcoach playground --seed demo` on a free loopback port; yields the page's URL."""
    folder = tmp_path_factory.mktemp("playground")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", "--port", "0", "--seed", "demo"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"},
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    OUTPUT.clear()

    def read() -> None:
        for line in stdout:
            OUTPUT.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    url = None
    while url is None:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            process.kill()
            pytest.fail(f"the playground did not start:\n{''.join(OUTPUT)}")
        if found := re.search(r"open (http://127\.0\.0\.1:\d+)/", line):
            url = found.group(1)
    yield url
    process.terminate()
    assert process.wait(timeout=30) == 0, "the playground did not stop cleanly on SIGTERM"
    assert (folder / "playground" / "hipcoach.db").exists()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver must be installed under CI (.ci/run does)")
        pytest.skip("no /usr/bin/chromium or /usr/bin/chromedriver (apt-get install chromium …)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER)
    )
    yield driver
    driver.quit()


@contextlib.contextmanager
def screenshot_on_failure(driver: WebDriver, name: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        driver.save_screenshot(str(path))
        path.with_suffix(".log").write_text("".join(OUTPUT))
        print(f"screenshot of the failing page: {path}, the playground's log beside it")
        raise


# ---- reading and using the page ---------------------------------------------------------------
def bot_texts(driver: WebDriver, chat_id: int) -> list[str]:
    """The text of every bot message in a chat, whether or not that chat is open."""
    return driver.execute_script(
        "return [...document.querySelectorAll(`li.msg.bot[data-chat='${arguments[0]}']`)]"
        ".map(li => li.textContent)",
        chat_id,
    )


def said(driver: WebDriver, chat_id: int) -> list[str]:
    """Only the words of each bot message in a chat (no sender, time or buttons), to compare."""
    return driver.execute_script(
        "return [...document.querySelectorAll(`li.msg.bot[data-chat='${arguments[0]}']`)]"
        ".map(li => li.querySelector('.text')?.textContent ?? '')",
        chat_id,
    )


def wait_for(driver: WebDriver, chat_id: int, fragment: str, *, after: int = 0) -> int:
    """Wait until a bot message at index >= `after` in the chat contains `fragment`; its index."""

    def found(_: WebDriver) -> int | None:
        texts = bot_texts(driver, chat_id)
        hits = [i for i, text in enumerate(texts) if i >= after and fragment in text]
        return hits[-1] + 1 if hits else None  # +1: index 0 must count as found

    try:
        return WebDriverWait(driver, WAIT).until(found) - 1
    except TimeoutException:
        recent = [text[:80] for text in bot_texts(driver, chat_id)[after:]]
        raise AssertionError(f"no {fragment!r} in chat {chat_id}; got {recent}") from None


def text_of(driver: WebDriver, chat_id: int, fragment: str, *, after: int = 0) -> str:
    """Wait for a bot message containing `fragment` (as `wait_for`) and return its whole text."""
    index = wait_for(driver, chat_id, fragment, after=after)
    return bot_texts(driver, chat_id)[index]


def settled(driver: WebDriver) -> WebDriverWait:
    """A wait that tries again when the page re-rendered under an element it held (the page
    reloads its state whenever its live-update stream reconnects, as it may on a loaded machine)."""
    return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))


def open_room(driver: WebDriver, chat_id: int) -> None:
    selector = f"#rooms [data-room='{chat_id}']"

    def opened(d: WebDriver) -> bool:
        room = d.find_element(By.CSS_SELECTOR, selector)
        if "active" not in (room.get_attribute("class") or ""):
            room.click()
            return False
        return True

    settled(driver).until(opened)


def type_text(driver: WebDriver, text: str) -> None:
    def sent(d: WebDriver) -> bool:
        d.find_element(By.ID, "text").send_keys(text)
        d.find_element(By.ID, "send").click()
        return True

    settled(driver).until(sent)


def press(driver: WebDriver, chat_id: int, label: str) -> int:
    """Tap the button labelled `label` on the latest message that has buttons; returns the count
    of bot messages before the tap, for waiting on what comes after it."""
    count = len(bot_texts(driver, chat_id))

    def tapped(d: WebDriver) -> bool:
        keyboards = d.find_elements(By.CSS_SELECTOR, f"li.msg.bot[data-chat='{chat_id}'] .kb")
        assert keyboards, f"no buttons in chat {chat_id}"
        buttons = keyboards[-1].find_elements(By.TAG_NAME, "button")
        matching = [b for b in buttons if label.lower() in b.text.lower()]
        assert matching, f"no button {label!r} in {[b.text for b in buttons]}"
        matching[0].click()
        return True

    settled(driver).until(tapped)
    return count


def tap_and_wait(driver: WebDriver, chat_id: int, label: str, expect: str) -> int:
    before = press(driver, chat_id, label)
    return wait_for(driver, chat_id, expect, after=before)


def latest_question(driver: WebDriver, chat_id: int) -> str:
    return driver.execute_script(
        "const all = [...document.querySelectorAll(`li.msg.bot[data-chat='${arguments[0]}']`)]"
        ".filter(li => li.querySelector('.kb')); return all.length ? all.at(-1).textContent : ''",
        chat_id,
    )


def answered(driver: WebDriver, chat_id: int, before: int) -> bool:
    """The bot has answered a tap: a new message, and the latest one asks or sums up."""
    texts = bot_texts(driver, chat_id)
    last_asks = driver.execute_script(
        "const all = document.querySelectorAll(`li.msg.bot[data-chat='${arguments[0]}']`);"
        "return all.length > 0 && all[all.length - 1].querySelector('.kb') !== null",
        chat_id,
    )
    return len(texts) > before and (last_asks or "Exercises done" in texts[-1])


def image_loaded(driver: WebDriver, chat_id: int) -> bool:
    return driver.execute_script(
        "const imgs = document.querySelectorAll(`li.msg.bot[data-chat='${arguments[0]}'] img`);"
        "return imgs.length > 0 && imgs[imgs.length - 1].complete"
        " && imgs[imgs.length - 1].naturalWidth > 100",
        chat_id,
    )


# ---- the walk ----------------------------------------------------------------------------------
def test_a_visitor_onboards_trains_gets_a_reminder_and_sees_the_coach_dashboard(
    playground: str, browser: WebDriver
) -> None:
    driver = browser
    driver.set_window_size(*PHONE)
    driver.get(playground)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"
    )
    alex = ALEX.user_id
    with screenshot_on_failure(driver, "onboarding"):
        open_room(driver, alex)
        type_text(driver, "/start")
        wait_for(driver, alex, "I agree")
        first = tap_and_wait(driver, alex, "I agree", "Safety check 1/")
        found = re.search(r"Safety check 1/(\d+)", bot_texts(driver, alex)[first])
        assert found, "the safety check says how many questions it has"
        total = int(found.group(1))
        for number in range(2, total + 1):
            tap_and_wait(driver, alex, "No", f"Safety check {number}/{total}")
        tap_and_wait(driver, alex, "No", "How much pain do you have")
        tap_and_wait(driver, alex, "3", "How active")
        # The answered question was edited in place: one copy, showing the answer, no buttons.
        asked = [t for t in bot_texts(driver, alex) if "How much pain do you have" in t]
        assert len(asked) == 1 and "✓ 3" in asked[0] and "edited" in asked[0]
        before = press(driver, alex, "")  # an empty label matches the first activity level
        wait_for(driver, alex, "Which of these do you have", after=before)
        tap_and_wait(driver, alex, "none of these", "daily reminder")
        before = len(bot_texts(driver, alex))
        type_text(driver, "07:30")
        wait_for(driver, alex, "Which time zone", after=before)
        before = len(bot_texts(driver, alex))
        offset = noon_offset()  # where it is about noon: the next reminder is tomorrow
        type_text(driver, offset)
        if offset != "UTC+0":  # an offset is answered with the real zones that have it now
            wait_for(driver, alex, "Which is yours", after=before)
            before = press(driver, alex, "")  # the first city offered
        wait_for(driver, alex, "is that right?", after=before)
        tap_and_wait(driver, alex, "Yes", "You're all set")

    with screenshot_on_failure(driver, "session"):
        tap_and_wait(driver, alex, "Start today's session", "how many reps")
        for _ in range(40):
            question = latest_question(driver, alex)
            if "how many reps" in question:
                label = "All"
            elif "full holds" in question:
                label = "Yes"
            elif "right now, 0–10" in question:
                label = "1"
            else:
                break
            before = press(driver, alex, label)
            WebDriverWait(driver, WAIT).until(lambda d, before=before: answered(d, alex, before))
        summary = text_of(driver, alex, "Exercises done")
        assert "Highest pain: 1/10" in summary

    with screenshot_on_failure(driver, "progress"):
        before = len(bot_texts(driver, alex))
        type_text(driver, "/progress")
        wait_for(driver, alex, "", after=before)
        WebDriverWait(driver, WAIT).until(lambda d: image_loaded(d, alex))

    with screenshot_on_failure(driver, "reminder"):
        shown = driver.find_element(By.ID, "clock").get_attribute("data-now")
        before = len(bot_texts(driver, alex))
        driver.find_element(By.ID, "jump-reminder").click()
        WebDriverWait(driver, WAIT).until(
            lambda d: d.find_element(By.ID, "clock").get_attribute("data-now") != shown
        )
        reminder = text_of(driver, alex, "Alex!", after=before)
        assert "routine" in reminder

    with screenshot_on_failure(driver, "dashboard"):
        robin, names = ROBIN.user_id, ("Maya", "Tom", "Priya")
        # The demo seed's missed-days alert for Priya reached Robin, the admin, in his own chat.
        assert "3 days" in text_of(driver, robin, "Priya")
        driver.set_window_size(*DESKTOP)
        open_room(driver, GROUP_CHAT_ID)
        assert "active" in driver.find_element(
            By.CSS_SELECTOR, f"#senders [data-as='{robin}']"
        ).get_attribute("class")
        in_group, in_robins = len(said(driver, GROUP_CHAT_ID)), len(bot_texts(driver, robin))
        driver.find_element(By.ID, "menu-button").click()
        driver.find_element(By.CSS_SELECTOR, "#menu [data-command='dashboard']").click()
        # The group has a non-admin (Jo): the dashboard goes to Robin's private chat, which he
        # has started (every playground persona has), and the group is told only that.
        board = text_of(driver, robin, "Back club coaches", after=in_robins)
        assert all(name in board for name in names)
        WebDriverWait(driver, WAIT).until(lambda d: image_loaded(d, robin))
        wait_for(driver, GROUP_CHAT_ID, "Sent to you privately", after=in_group)
        assert said(driver, GROUP_CHAT_ID)[in_group:] == ["Sent to you privately."]
        # The dashboard's HTML parse mode is rendered, not shown as tags.
        bold = driver.execute_script(
            "return [...document.querySelectorAll('li.msg.bot b')].map(b => b.textContent)"
        )
        assert "Back club coaches" in bold
        assert not any("<b>" in text for text in bot_texts(driver, robin))

        in_group = len(said(driver, GROUP_CHAT_ID))
        driver.find_element(By.CSS_SELECTOR, f"#senders [data-as='{JO.user_id}']").click()
        type_text(driver, "/dashboard")
        wait_for(driver, GROUP_CHAT_ID, "only this group's admins", after=in_group)
        assert said(driver, GROUP_CHAT_ID)[in_group:] == [
            "Sorry, only this group's admins can see the dashboard."
        ]
        # No member's data anywhere Jo can read: not in the group, not in Jo's own chat.
        group_texts = bot_texts(driver, GROUP_CHAT_ID)
        assert not any(name in text for name in names for text in group_texts)
        assert not driver.find_elements(
            By.CSS_SELECTOR, f"li.msg.bot[data-chat='{GROUP_CHAT_ID}'] img"
        )
        assert not bot_texts(driver, JO.user_id)
        if shot := os.environ.get("HIPCOACH_SCREENSHOT"):  # Robin's dashboard, chart and all
            driver.set_window_size(DESKTOP[0], 1000)
            open_room(driver, robin)
            WebDriverWait(driver, WAIT).until(lambda d: image_loaded(d, robin))
            driver.save_screenshot(shot)


def test_the_page_works_offline_without_any_outside_resource(
    playground: str, browser: WebDriver
) -> None:
    """No CDN, no web font: every script, style and image the page asks for is its own."""
    browser.get(playground)
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"
    )
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)"
    )
    assert resources and all(name.startswith(playground) for name in resources), resources


def test_a_coach_invite_link_opens_in_a_members_chat(playground: str, browser: WebDriver) -> None:
    driver = browser
    driver.get(playground)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"
    )
    with screenshot_on_failure(driver, "invite"):
        open_room(driver, GROUP_CHAT_ID)
        driver.find_element(By.CSS_SELECTOR, f"#senders [data-as='{ROBIN.user_id}']").click()
        before = len(bot_texts(driver, GROUP_CHAT_ID))
        type_text(driver, "/coach")
        wait_for(driver, GROUP_CHAT_ID, "Invite link", after=before)
        links = driver.find_elements(By.CSS_SELECTOR, "li.msg.bot a[href*='?start=']")
        links[-1].click()
        prompt = WebDriverWait(driver, WAIT).until(lambda d: d.switch_to.alert)
        prompt.send_keys(SAM.name)
        prompt.accept()
        welcome = text_of(driver, SAM.user_id, "Back club coaches")
        assert "I agree" in welcome
        assert "active" in (
            driver.find_element(
                By.CSS_SELECTOR, f"#rooms [data-room='{SAM.user_id}']"
            ).get_attribute("class")
            or ""
        )
