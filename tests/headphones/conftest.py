"""Keep guidance state and level profiles of these tests in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("DAW_BRIDGE_LEVEL_PROFILE", str(tmp_path / "level.json"))
    monkeypatch.setenv("DAW_BRIDGE_SESSION", "test-session")
    monkeypatch.delenv("DAW_BRIDGE_GUIDANCE", raising=False)
    monkeypatch.delenv("DAW_BRIDGE_FACTS_DIR", raising=False)
