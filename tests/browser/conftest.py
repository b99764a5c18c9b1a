"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), never a downloaded browser.

Without Chromium these tests are skipped, and the run says so and how to enable them.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("YICHUANG_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None
SKIP_REASON = (
    f"未找到 Chromium（{CHROMIUM}）：浏览器测试已跳过。"
    "启用方法：以 root 运行 `apt-get install chromium fonts-wqy-microhei`，或运行 `bash .ci/run`。"
)

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable
# from the test body, which is synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not HAVE_CHROMIUM:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter):
    if not HAVE_CHROMIUM:
        terminalreporter.write_line(SKIP_REASON, yellow=True)


@pytest.fixture(scope="session")
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Starting Playwright makes this thread look asynchronous to Django, which then hands out
    # new connection objects; the snapshot that `serialized_rollback` restores lives on the old
    # ones, so carry it over or the second browser test of a session starts with an empty database.
    saved = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as pw:
        for alias, contents in saved.items():
            if contents is not None and getattr(connections[alias], "_test_serialized_contents", None) is None:
                connections[alias]._test_serialized_contents = contents
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
