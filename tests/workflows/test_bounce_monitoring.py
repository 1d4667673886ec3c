"""Bounce-and-check names the monitoring in use at bounce time (the saved state by default) and gives levels as
heard through it; an unreadable state costs only that part of the report, never the bounce."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.monitoring import MonitoringState, save_state, state_path
from daw_bridge.presets.catalog import DATA_DIR_ENV
from daw_bridge.workflows.bounce import bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession
from tests.workflows.conftest import demo_folder, session  # noqa: F401  (fixtures)


def test_the_saved_state_is_named_and_levels_are_given_as_heard(
    session: EmbeddedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    save_state(MonitoringState(headphones="Sennheiser HD 650", crossfeed="cmoy"))
    result = bounce_and_check(session.daw, session.config)
    assert "Headphone correction: Sennheiser HD 650 at 100 %" in result.monitoring
    assert "Crossfeed: cmoy" in result.monitoring
    names = {result.bounce.name, *(p.name for p in result.reference_files)}
    assert set(result.heard_lufs) == names
    mix = result.comparison.mix.loudness.integrated_lufs
    assert result.heard_lufs[result.bounce.name] < mix - 5.0  # the 8 dB monitoring headroom is in what is heard
    page = result.report.read_text(encoding="utf-8")
    assert "as heard (LUFS)" in page and "Crossfeed: cmoy" in page


def test_without_effects_the_renders_are_what_was_heard_and_a_broken_state_is_said(
    session: EmbeddedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    plain = bounce_and_check(session.daw, session.config, monitoring=MonitoringState())
    assert plain.heard_lufs == {} and "Headphone correction: off (no headphone model chosen)" in plain.monitoring
    assert "so this is also how they were heard" in plain.report.read_text(encoding="utf-8")
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    broken = bounce_and_check(session.daw, session.config)
    assert broken.bounce.is_file() and broken.heard_lufs == {}
    assert broken.monitoring[0].startswith("Monitoring state unknown:") and str(path) in broken.monitoring[0]
    assert "not as heard: the monitoring at bounce time could not be read" in broken.report.read_text(encoding="utf-8")


def test_a_preset_that_cannot_be_found_is_named_and_the_bounce_completes(
    session: EmbeddedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    result = bounce_and_check(session.daw, session.config, monitoring=MonitoringState(headphones="Nonesuch HP-1"))
    assert result.bounce.is_file() and result.heard_lufs == {}
    assert result.monitoring[0] == "Headphone correction: Nonesuch HP-1 at 100 %"
    assert result.monitoring[-1].startswith("Levels as heard not computed:") and "Nonesuch" in result.monitoring[-1]
