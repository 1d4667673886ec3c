"""The demo project's audio built once for the whole journal package (three modules use the emulator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflows.conftest import session  # noqa: F401  (fixture; uses the demo_folder below)


@pytest.fixture(scope="package")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from daw_bridge.emulator.demo import build_demo_project

    folder = tmp_path_factory.mktemp("journal-demo")
    build_demo_project(folder / "session")
    return folder
