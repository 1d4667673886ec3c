"""The guided session against the emulator: band steps really solo the band on the monitoring chain; skip, stop and
resume; the controller's journal events (next checklist step, note at playhead)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daw_bridge.bands import band_by_name
from daw_bridge.dsp.params import is_pass_through
from daw_bridge.journal.events import STEP_STATE_KEY, JournalEvents, record_blind_result
from daw_bridge.journal.guided import CHECKLIST, Answer, BandSolo, Step, remaining, run_checklist
from daw_bridge.journal.notes import parse_note
from daw_bridge.journal.store import Journal
from daw_bridge.monitoring import MonitoringState, load_state, save_state
from daw_bridge.workflows.ab import ABLoop
from daw_bridge.workflows.controller import Controller
from daw_bridge.workflows.embedded import EmbeddedSession

BANDSOLO = "JS: daw-bridge/bandsolo"


def _bandsolo(s: EmbeddedSession) -> tuple[bool, float | None, float | None]:
    """(on, low_hz, high_hz) of the band-solo effect on the emulator's monitoring chain: on when enabled and not
    switched off by its parameters (how the bridge turns it off: a crossfade to a pass-through, never a bypass)."""
    for fx in s.emulator.project.monitor_fx:
        if fx.name == BANDSOLO:
            low, high = fx.params.get("low_hz"), fx.params.get("high_hz")
            on = fx.enabled and not is_pass_through("bandsolo", fx.params)
            return on, float(low) if low is not None else None, float(high) if high is not None else None
    return False, None, None


def test_band_steps_solo_the_band_on_the_monitoring_chain(session: EmbeddedSession, tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    save_state(MonitoringState(headphones="Sennheiser HD 650"), state_dir)
    heard: dict[str, tuple[bool, float | None, float | None]] = {}

    def ask(step: Step, number: int, total: int) -> Answer:
        heard[step.key] = _bandsolo(session)
        if step.band == "mid":
            return "skip"
        return parse_note(aspect=step.aspect, direction="more" if step.band == "sub" else "=", strength=2)

    with Journal(tmp_path / "j.sqlite") as j:
        sid = j.start_session(j.headphone("Sennheiser HD 650"), j.reference("Aja"), source="guided")
        walk = run_checklist(j, sid, ask, solo=BandSolo(session.daw, tmp_path / "state"))
        assert walk.complete and walk.skipped == ("band:mid",) and len(walk.answered) == len(CHECKLIST) - 1
        for step in CHECKLIST:
            enabled, low, high = heard[step.key]
            if step.band is None:
                assert not enabled, f"{step.key}: no band soloed for an aspect question"
            else:
                band = band_by_name(step.band)
                assert (enabled, low, high) == (True, band.low_hz, band.high_hz), step.key
        sub = [n for n in j.notes() if n.band == "sub"]
        assert [(n.aspect, n.direction) for n in sub] == [("bass", 1)]
    # the listener's own band solo (none) is back, and the correction stayed on throughout
    assert _bandsolo(session)[0] is False
    assert load_state(state_dir).band is None and load_state(state_dir).headphones == "Sennheiser HD 650"
    assert any(fx.name == "JS: daw-bridge/correction" and fx.enabled for fx in session.emulator.project.monitor_fx)


def test_stopping_keeps_the_session_open_and_the_next_walk_resumes(tmp_path: Path) -> None:
    answers = iter(["more", "skip", "stop"])

    def ask(step: Step, number: int, total: int) -> Answer:
        said = next(answers)
        if said in ("skip", "stop"):
            return "skip" if said == "skip" else "stop"
        return parse_note(aspect=step.aspect, direction=said)

    with Journal(tmp_path / "j.sqlite") as j:
        hp, ref = j.headphone("AKG K701"), j.reference("Aja")
        sid = j.start_session(hp, ref, source="guided")
        first = run_checklist(j, sid, ask, solo=BandSolo(None))
        assert (first.answered, first.skipped, first.complete) == (("aspect:bass",), ("aspect:mids",), False)
        assert j.open_guided_session(hp, ref) == sid
        left = remaining(j, sid)
        assert left[0].key == "aspect:highs" and len(left) == len(CHECKLIST) - 2
        second = run_checklist(j, sid, lambda s, n, t: parse_note(aspect=s.aspect, direction="="),
                               solo=BandSolo(None))
        assert second.complete and second.answered[0] == "aspect:highs"
        assert j.open_guided_session(hp, ref) is None  # finished sessions are not resumed


def test_controller_steps_through_the_checklist_and_stores_notes_from_reaper(
        session: EmbeddedSession, tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    save_state(MonitoringState(headphones="Sennheiser HD 650"), state_dir)
    ABLoop(session.daw, session.config).select("REF 1")
    events = JournalEvents(session.daw, tmp_path / "j.sqlite", base=state_dir)
    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append, journal=events)
    controller.handle({"event": "journal_step"})
    assert said[-1] == f"[journal_step] step 1/{len(CHECKLIST)}: {CHECKLIST[0].prompt}"
    shown = json.loads(session.daw.get_project_state(STEP_STATE_KEY) or "{}")
    assert (shown["key"], shown["aspect"], shown["number"]) == ("aspect:bass", "bass", 1)
    # the form's aspect left empty: the step's aspect is used
    controller.handle({"event": "journal_note", "aspect": "", "direction": "more", "strength": 3,
                       "text": "kick boomy", "position_s": 42.0, "time": 1.7e9})
    assert said[-1].startswith("[journal_note] note stored: 2023-11-14 REF 1 at 0:42 - bass more (strong)")
    for _ in range(7):  # bass answered; the six other aspects passed over (skipped); then the sub band
        controller.handle({"event": "journal_step"})
    assert said[-1].startswith(f"[journal_step] step 8/{len(CHECKLIST)}: sub band soloed")
    assert _bandsolo(session) == (True, 20.0, 100.0)
    controller.handle({"event": "journal_note", "aspect": "bass", "direction": "less", "strength": 1,
                       "position_s": 10.0})
    with Journal(tmp_path / "j.sqlite") as j:
        notes = j.notes()
        assert [(n.title, n.model, n.correction, n.aspect, n.band, n.direction) for n in notes] == [
            ("REF 1", "Sennheiser HD 650", True, "bass", None, 1),
            ("REF 1", "Sennheiser HD 650", True, "bass", "sub", -1)]
        steps = j.steps(notes[0].session_id)
        assert steps["aspect:bass"] == "answered" and steps["aspect:mids"] == "skipped"
        assert steps["band:sub"] == "answered"
    for _ in range(6):  # bass .. highs bands, passed over
        controller.handle({"event": "journal_step"})
    assert said[-1].startswith(f"[journal_step] step 14/{len(CHECKLIST)}: highs band soloed")
    controller.handle({"event": "journal_step"})
    assert said[-1].startswith("[journal_step] checklist complete")
    assert _bandsolo(session)[0] is False  # band solo handed back
    assert controller.handled.count("journal_note") == 2


def test_a_bad_note_from_reaper_is_reported_not_raised(session: EmbeddedSession, tmp_path: Path) -> None:
    save_state(MonitoringState(headphones="AKG K701"), tmp_path / "state")
    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append,
                            journal=JournalEvents(session.daw, tmp_path / "j.sqlite", base=tmp_path / "state"))
    controller.handle({"event": "journal_note", "aspect": "vibes", "direction": "more"})
    assert said == ["[journal_note] failed: InvalidParameter: unknown aspect 'vibes': choose one of bass, mids, "
                    "highs, ambience, stereo image, depth, overall level"]
    controller.journal = JournalEvents(session.daw, tmp_path / "j2.sqlite", base=tmp_path / "no-state")
    controller.handle({"event": "journal_note", "aspect": "bass", "direction": "more"})
    assert "failed: JournalError: which headphones?" in said[-1] and "stays as its marker" in said[-1]
    (tmp_path / "broken.sqlite").write_bytes(b"not a database" * 200)
    controller.journal = JournalEvents(session.daw, tmp_path / "broken.sqlite", base=tmp_path / "state")
    controller.handle({"event": "journal_note", "aspect": "bass", "direction": "more"})
    assert "failed: JournalCorrupt" in said[-1] and "journal recover" in said[-1]


def test_blind_rounds_are_stored_and_a_broken_journal_only_warns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    assert record_blind_result(tmp_path / "j.sqlite", answer="REF 2", guess="1", correct=False, candidates=3) is None
    with Journal(tmp_path / "j.sqlite") as j:
        [row] = j.blind_results()
        assert (row["answer"], row["guess"], row["correct"], row["candidates"], row["headphones"]) == (
            "REF 2", "1", False, 3, "")
    (tmp_path / "bad.sqlite").write_bytes(b"x" * 5000)
    warning = record_blind_result(tmp_path / "bad.sqlite", answer="mix", guess="mix", correct=True)
    assert warning is not None and "not stored in the journal" in warning


def test_sessions_from_reaper_carry_the_output_level_estimate(
        session: EmbeddedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from daw_bridge.headphones.level import LevelProfile, OutputProfile, save_profile, set_output

    monkeypatch.setenv("DAW_BRIDGE_LEVEL_PROFILE", str(tmp_path / "level.json"))
    save_profile(set_output(LevelProfile(), OutputProfile("Magni", "headphones", spl_at_0lufs_db=110.0,
                                                          volume_db=-20.0)))
    save_state(MonitoringState(headphones="AKG K701"), tmp_path / "state")
    session.daw.set_project_state("ab_state", json.dumps({"current": "REF 1", "mix_loudness": -14.0}))
    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append,
                            journal=JournalEvents(session.daw, tmp_path / "j.sqlite", base=tmp_path / "state"))
    controller.handle({"event": "journal_note", "aspect": "bass", "direction": "more"})
    with Journal(tmp_path / "j.sqlite") as j:
        [(level, unit)] = j.query("SELECT level_db, level_unit FROM listening_session")
        [note] = j.notes()
    assert (level, unit) == (110.0 - 20.0 - 14.0, "dB SPL"), said
    assert (note.model, note.amp, note.title) == ("AKG K701", "Magni", "REF 1")
