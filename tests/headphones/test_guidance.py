"""Role guidance: the right advice, once per session, and silent when turned off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daw_bridge.errors import InvalidParameter
from daw_bridge.headphones.facts import get_facts
from daw_bridge.headphones.guidance import (
    SESSION_IDLE_S,
    GuidanceStore,
    candidate_guidance,
    guidance_for,
)


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _keys(event: str, model: str, **context: object) -> list[str]:
    return [g.key for g in candidate_guidance(event, get_facts(model), context)]


def test_closed_back_for_mastering_gets_a_caution() -> None:
    keys = _keys("decision", "Sony MDR-7506", purpose="mastering")
    assert keys == ["closed-for-mastering:Sony MDR-7506"]
    text = candidate_guidance("decision", get_facts("Sony MDR-7506"), {"purpose": "mastering"})[0].text
    assert "closed-back" in text and "open-back or on speakers" in text


def test_mixing_headphone_for_mastering_names_mastering_models() -> None:
    [item] = candidate_guidance("decision", get_facts("Sennheiser HD 650"), {"purpose": "mastering"})
    assert "Sennheiser HD 800 S" in item.text and "Focal Utopia" in item.text
    assert "LCD-X (2021)" not in item.text  # one name per family


def test_open_back_mixing_suggests_crossfeed_unless_it_is_on() -> None:
    assert "crossfeed-for-open-back" in _keys("preset_applied", "Sennheiser HD 600")
    assert "crossfeed-for-open-back" not in _keys("preset_applied", "Sennheiser HD 600", crossfeed=True)
    assert "crossfeed-for-open-back" not in _keys("preset_applied", "Sony MDR-7506")
    assert _keys("decision", "Focal Utopia", purpose="tracking") == ["open-for-tracking:Focal Utopia"]


def test_level_advice_comes_with_presets_and_level_checks_only() -> None:
    assert "steady-level" in _keys("preset_applied", "Sony MDR-7506")
    assert "steady-level" in _keys("level_check", "Sony MDR-7506")
    assert _keys("drive_check", "Sony MDR-7506") == []


def test_bad_event_or_purpose_is_rejected() -> None:
    with pytest.raises(InvalidParameter, match="guidance event"):
        candidate_guidance("applied", None)
    with pytest.raises(InvalidParameter, match="purpose"):
        candidate_guidance("decision", None, {"purpose": "editing"})


def test_each_message_once_per_session(tmp_path: Path) -> None:
    clock = Clock()
    store = GuidanceStore(tmp_path / "g.json", session="s1", now=clock)
    first = guidance_for("preset_applied", "Sennheiser HD 600", store=store)
    assert len(first) == 2
    assert guidance_for("preset_applied", "Sennheiser HD 600", store=store) == []
    # a different model repeats nothing general, but a new model-specific caution still shows
    again = guidance_for("decision", "Sony MDR-7506", {"purpose": "mixing"}, store=store)
    assert len(again) == 1 and "Sony MDR-7506" in again[0]
    # another session (another shell) sees the advice again
    other = GuidanceStore(tmp_path / "g.json", session="s2", now=clock)
    assert len(guidance_for("preset_applied", "Sennheiser HD 600", store=other)) == 2
    # and so does the same session after a long idle gap
    clock.t += SESSION_IDLE_S + 1
    assert len(guidance_for("preset_applied", "Sennheiser HD 600", store=other)) == 2


def test_can_be_turned_off_by_switch_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = GuidanceStore(tmp_path / "g.json", session="s")
    store.set_enabled(False)
    assert guidance_for("preset_applied", "Sennheiser HD 600", store=store) == []
    store.set_enabled(True)
    monkeypatch.setenv("DAW_BRIDGE_GUIDANCE", "off")
    assert guidance_for("preset_applied", "Sennheiser HD 600", store=store) == []
    monkeypatch.setenv("DAW_BRIDGE_GUIDANCE", "on")
    assert guidance_for("preset_applied", "Sennheiser HD 600", store=store) != []


def test_reset_and_damaged_state(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    store = GuidanceStore(path, session="s")
    assert guidance_for("level_check", None, store=store)  # unknown model: general advice only
    store.reset()
    assert guidance_for("level_check", None, store=store)
    path.write_text("{not json", encoding="utf-8")
    assert guidance_for("level_check", "no such headphone", store=store)
    assert json.loads(path.read_text(encoding="utf-8"))["shown"] == ["steady-level"]


def test_default_store_uses_the_state_dir(tmp_path: Path) -> None:
    assert guidance_for("level_check", None)
    assert guidance_for("level_check", None) == []
    assert (tmp_path / "state" / "guidance.json").exists()
