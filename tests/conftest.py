"""Shared pytest set-up: ``--slow`` runs the long-mode tests."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="also run slow/long-mode tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow") or os.environ.get("DAW_BRIDGE_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --slow or DAW_BRIDGE_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
