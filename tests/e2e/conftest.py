"""Real-browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Never run ``playwright install``: the browser is the system one at /usr/bin/chromium.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (factories, assertions) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

expect.set_options(timeout=10_000)


class OneRequestAtATimeServer(WSGIServer):
    """The live server, answering one request after another. With SQLite in memory every
    request thread shares the test database's one connection, and parallel requests (a page's
    photos) then trip over each other ("sqlite3.InterfaceError: bad parameter or other API
    misuse"). Responses say ``Connection: close``, so the browser never waits on a kept-alive
    connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    original = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATimeServer
    yield
    LiveServerThread.server_class = original


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    # Playwright's sync API keeps an event loop running in this thread, and from then on
    # asgiref.Local (Django's connection handler) hands out other connection objects than the
    # ones the test database was set up with. Without the serialized contents on them,
    # serialized_rollback would silently stop restoring the data migrations' rows (categories,
    # groups) whenever ordinary database tests ran earlier in the session.
    serialized = {
        conn.alias: conn._test_serialized_contents
        for conn in connections.all()
        if hasattr(conn, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test (no cookies carried over), phone-sized, Chinese."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    # A first visit makes every picture's renditions on demand, one request at a time: on two
    # cores shared with the other test worker that can outlast 10 s without anything being wrong.
    context.set_default_navigation_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Script errors and Content-Security-Policy violations seen by ``page``; tests assert it is empty."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    return errors


@pytest.fixture
def shoot() -> Callable[[Page, str], None]:
    """Full-page screenshots at phone (390 px) and desktop (1280 px) width, for looking at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        original = page.viewport_size
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{size['width']}.png"), full_page=True)
        page.set_viewport_size(original)

    return take
