"""A real headless browser (Debian's Chromium driven by Playwright) for tests of what people look at.

Skips, naming what to install, where Chromium or the Playwright package is missing. Chromium runs with the
flags this machine needs (no sandbox as root, no background networking: tests reach nothing but loopback).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def chromium_path() -> str:
    """Debian's Chromium, or skip saying how to get it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("browser tests need Chromium (Debian: apt-get install chromium)")


@dataclass
class PageVisit:
    """What a page showed: its visible text, console messages and page errors, and the page for queries."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Page errors and console errors/warnings (what a person would see in the developer tools)."""
        return self.errors + [f"{kind}: {text}" for kind, text in self.console if kind in ("error", "warning")]


@contextmanager
def visit(path: Path, *, width: int = 1366, height: int = 800) -> Iterator[PageVisit]:
    """Open the local file ``path`` in headless Chromium at a laptop-sized viewport."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            result = PageVisit(page)
            page.on("console", lambda m: result.console.append((m.type, m.text)))
            page.on("pageerror", lambda e: result.errors.append(str(e)))
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield result
        finally:
            browser.close()
