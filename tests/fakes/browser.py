"""A Chromium page for browser tests: Playwright driving Debian's Chromium (no browser download).

Needs `apt-get install chromium chromium-headless-shell` and `pip install playwright`; skipped elsewhere,
required in CI.  Test modules import the ``page`` fixture from here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CANDIDATES = (os.environ.get("GROUNDSWELL_TEST_CHROMIUM", ""), "/usr/lib/chromium/chromium-headless-shell",
              shutil.which("chromium") or "", shutil.which("chromium-browser") or "")


def chromium_path() -> str:
    for candidate in CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI (apt-get install chromium chromium-headless-shell)")
    pytest.skip("no Chromium here (apt-get install chromium chromium-headless-shell)")


@pytest.fixture
def page() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()
