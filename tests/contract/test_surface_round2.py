"""csurf_osc behaviours third-party clients rely on, on literal REAPER-shaped datagrams (read from csurf_osc.cpp).

Polled re-reporting after a device sets time/loop, FX windows, the device-selected FX, FX presets, device track
navigation, the rewind/forward mode and auto-recarm toggles, sends/receives in the dump and on change, and meters.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.feedback import vu
from daw_bridge.emulator.project import JSFX_PREFIX, Fx, Marker, Project, Send, Track, trim_fx
from daw_bridge.osc.codec import Message, decode_packet
from daw_bridge.reaper.fader import db_to_slider, slider_to_db
from tests.emulator.util import default_patterns, feedback, osc, sine, write_wav


def make(*, default_file: bool = True, n_tracks: int = 3) -> Emulator:
    tracks = [Track(f"t{i}") for i in range(1, n_tracks + 1)]
    tracks[0].fx = [trim_fx(-3.0), Fx(f"{JSFX_PREFIX}crossfeed", True, {"cut_hz": 700.0, "feed_db": 4.5})]
    project = Project(tracks=tracks, markers=[Marker(1, 2.0, "A"), Marker(2, 6.0, "B")])
    emu = Emulator(project, pattern_file=default_patterns() if default_file else None)
    emu.dump()  # surface start: the device is in sync
    return emu


def polled(emu: Emulator) -> dict[str, tuple[object, ...]]:
    return {m.address: m.args for p in emu.poll(full=False) for m in decode_packet(p)}


def dump(emu: Emulator) -> dict[str, tuple[object, ...]]:
    return feedback(emu, osc("/action", 41743))


# ---- polled addresses: an incoming message clears its cache entry -----------------------------------------
@pytest.mark.parametrize(("address", "attr"), [("/time", "position_s"), ("/loop/start/time", "loop_start_s"),
                                               ("/loop/end/time", "loop_end_s")])
def test_a_device_set_polled_value_comes_back_on_the_next_poll(address: str, attr: str) -> None:
    emu = make()
    assert polled(emu) == {}
    assert address not in feedback(emu, osc(address, 10.0))  # anti-echo while the message is processed
    assert getattr(emu.project, attr) == 10.0
    assert polled(emu)[address] == (10.0,)  # the next position poll reports it (a seek is seen)
    assert address not in polled(emu)  # and then de-duplication again


def test_time_accepts_its_string_form() -> None:
    emu = make()
    feedback(emu, osc("/time/str", "1:02.5"))
    assert emu.project.position_s == pytest.approx(62.5)
    assert polled(emu)["/time/str"] == ("1:02.500",)


# ---- FX windows --------------------------------------------------------------------------------------
def test_fx_openui_opens_the_window_and_echoes_b() -> None:
    emu = make()
    fb = feedback(emu, osc("/track/1/fx/2/openui", 1))
    assert emu.project.tracks[0].fx[1].open and fb["/track/1/fx/2/openui"] == (1,)
    assert feedback(emu, osc("/track/1/fx/2/openui", 1))["/track/1/fx/2/openui"] == (1,)  # b: echoed anyway
    fb = feedback(emu, osc("/track/1/fx/2/openui", 0))
    assert not emu.project.tracks[0].fx[1].open and fb["/track/1/fx/2/openui"] == (0,)
    assert dump(emu)["/track/1/fx/1/openui"] == (0,)


def test_fx_at_openui_acts_on_the_device_track() -> None:
    emu = make()
    feedback(emu, osc("/device/track/select", 1))
    fb = feedback(emu, osc("/fx/1/openui", 1))
    assert emu.project.tracks[0].fx[0].open
    assert fb["/fx/1/openui"] == (1,) and fb["/track/1/fx/1/openui"] == (1,)


# ---- the device-selected FX ------------------------------------------------------------------------------
def test_device_fx_select_next_previous_and_its_feedback() -> None:
    emu = make()
    fb = feedback(emu, osc("/device/track/select", 1))
    assert fb["/track/name"] == ("t1",) and fb["/track/number/str"] == ("1",)
    assert fb["/device/track/select/1"] == (1,)
    assert fb["/fx/name"] == ("trim",) and fb["/fx/number/str"] == ("1",) and fb["/fx/bypass"] == (1,)
    fb = feedback(emu, osc("/device/fx/+"))
    assert fb["/fx/name"] == ("daw-bridge/crossfeed",)  # csurf_osc strips "JS: "
    assert fb["/fx/number/str"] == ("2",) and fb["/device/fx/select/2"] == (1,) and fb["/device/fx/select/1"] == (0,)
    assert fb["/fxparam/1/name"] == ("cut_hz",)
    assert feedback(emu, osc("/device/fx/+"))["/fx/name"] == ("trim",)  # wraps
    assert feedback(emu, osc("/device/fx/-"))["/fx/name"] == ("daw-bridge/crossfeed",)  # wraps back
    assert feedback(emu, osc("/device/fx/select", 1))["/fx/name"] == ("trim",)
    fb = feedback(emu, osc("/fx/bypass", 0))
    assert not emu.project.tracks[0].fx[0].enabled and fb["/fx/bypass"] == (0,)
    assert fb["/track/1/fx/1/bypass"] == (0,)
    fb = feedback(emu, osc("/fx/openui", 1))
    assert emu.project.tracks[0].fx[0].open and fb["/fx/openui"] == (1,)


def test_the_master_is_the_device_track_at_start() -> None:
    emu = make()
    state = dump(emu)
    assert state["/track/name"] == ("MASTER",) and state["/track/number/str"] == ("0",)
    assert state["/fx/name"] == ("",) and state["/fx/bypass"] == (0,)  # the master has no FX


# ---- FX presets ----------------------------------------------------------------------------------------
def test_preset_next_previous_steps_the_list_and_reports_the_name() -> None:
    emu = make()
    trim = emu.project.tracks[0].fx[0]
    fb = feedback(emu, osc("/track/1/fx/1/preset+"))
    assert fb["/track/1/fx/1/preset"] == ("0 dB",) and trim.params["gain_db"] == 0.0
    assert feedback(emu, osc("/track/1/fx/1/preset+"))["/track/1/fx/1/preset"] == ("-6 dB",)
    assert trim.params["gain_db"] == -6.0
    feedback(emu, osc("/track/1/fx/1/preset-"))
    assert feedback(emu, osc("/track/1/fx/1/preset-"))["/track/1/fx/1/preset"] == ("+6 dB",)  # wraps


def test_preset_by_name_on_the_device_fx() -> None:
    emu = make()
    feedback(emu, osc("/device/track/select", 1))
    feedback(emu, osc("/device/fx/select", 2))
    fb = feedback(emu, osc("/fx/preset", "jmeier"))
    crossfeed = emu.project.tracks[0].fx[1]
    assert crossfeed.preset == "jmeier" and crossfeed.params["feed_db"] == 9.5
    assert "/fx/preset" not in fb and fb["/track/1/fx/2/preset"] == ("jmeier",)  # s: the exact address not echoed
    assert feedback(emu, osc("/fx/preset", "no such preset")) == {}  # REAPER's TrackFX_SetPreset fails: nothing


def test_correction_presets_are_the_shipped_headphones() -> None:
    from daw_bridge.presets.catalog import shipped_dir

    emu = make()
    emu.project.tracks[1].fx = [Fx(f"{JSFX_PREFIX}correction")]
    first = sorted((p.stem for p in shipped_dir().glob("*.toml")), key=str.lower)[0]
    assert feedback(emu, osc("/track/2/fx/1/preset+"))["/track/2/fx/1/preset"] == (first,)


# ---- device track navigation --------------------------------------------------------------------------
def test_device_track_next_previous_walk_through_the_master_and_wrap() -> None:
    emu = make()
    fb = feedback(emu, osc("/device/track/+"))
    assert fb["/track/name"] == ("t1",) and fb["/device/track/select/1"] == (1,)
    assert feedback(emu, osc("/device/track/+"))["/track/name"] == ("t2",)
    fb = feedback(emu, osc("/device/track/-"))
    assert fb["/track/name"] == ("t1",) and fb["/device/track/select/2"] == (0,)
    assert feedback(emu, osc("/device/track/-"))["/track/name"] == ("MASTER",)
    assert feedback(emu, osc("/device/track/-"))["/track/name"] == ("t3",)  # wraps to the last track
    assert feedback(emu, osc("/device/track/+"))["/track/name"] == ("MASTER",)


# ---- toggles -------------------------------------------------------------------------------------------
def test_bymarker_and_editloop_toggle_and_report_both() -> None:
    emu = make()
    fb = feedback(emu, osc("/bymarker"))
    assert fb["/bymarker"] == (1,) and emu.surface.view.altnav == 1
    fb = feedback(emu, osc("/editloop"))
    assert fb["/editloop"] == (1,) and fb["/bymarker"] == (0,)
    fb = feedback(emu, osc("/editloop"))
    assert fb["/editloop"] == (0,) and emu.surface.view.altnav == 0


def test_rewind_forward_by_marker() -> None:
    emu = make()
    feedback(emu, osc("/bymarker"))
    feedback(emu, osc("/forward", 1))
    assert emu.project.position_s == 2.0
    feedback(emu, osc("/forward", 1))
    assert emu.project.position_s == 6.0
    feedback(emu, osc("/rewind", 1))
    assert emu.project.position_s == 2.0


def test_autorecarm_toggles_action_40740() -> None:
    emu = make()
    fb = feedback(emu, osc("/autorecarm"))
    assert emu.project.auto_recarm and fb["/autorecarm"] == (1,)
    fb = feedback(emu, osc("/action", 40740))
    assert not emu.project.auto_recarm and fb["/autorecarm"] == (0,)


# ---- sends and receives ------------------------------------------------------------------------------------
def with_sends(*, default_file: bool = True) -> Emulator:
    emu = make(default_file=default_file)
    t1, t2, t3 = emu.project.tracks
    t3.name = "REVERB"
    t1.sends = [Send(t3.guid, volume_db=-6.0, pan=-0.5)]
    t2.sends = [Send(t3.guid, volume_db=-12.0)]
    emu.dump()
    return emu


@pytest.mark.parametrize("default_file", [True, False], ids=["reaper-default", "shipped"])
def test_sends_and_receives_in_the_dump(default_file: bool) -> None:
    state = dump(with_sends(default_file=default_file))
    assert state["/track/1/send/1/name"] == ("REVERB",)
    assert state["/track/1/send/1/volume"] == pytest.approx((db_to_slider(-6.0),))
    assert state["/track/1/send/1/volume/str"] == ("-6.00dB",)
    assert state["/track/1/send/1/pan"] == (0.25,) and state["/track/1/send/1/pan/str"] == ("50%L",)
    assert state["/track/3/recv/1/name"] == ("t1",) and state["/track/3/recv/2/name"] == ("t2",)
    assert state["/track/3/recv/2/volume/str"] == ("-12.00dB",)
    assert "/track/1/send/2/name" not in state  # absent slots are not reported (see docs/emulator.md)


def test_send_volume_and_pan_change_and_feed_back_both_ends() -> None:
    emu = with_sends()
    fb = feedback(emu, osc("/track/1/send/1/volume", 0.5))
    snd = emu.project.tracks[0].sends[0]
    assert snd.volume_db == pytest.approx(slider_to_db(0.5))
    assert "/track/1/send/1/volume" not in fb  # anti-echo
    assert fb["/track/1/send/1/volume/str"] == (f"{slider_to_db(0.5):+.2f}dB",)
    assert fb["/track/3/recv/1/volume"] == pytest.approx((0.5,), abs=1e-6)  # the same send seen from REVERB
    fb = feedback(emu, osc("/track/3/recv/2/pan", 1.0))
    assert emu.project.tracks[1].sends[0].pan == 1.0 and fb["/track/2/send/1/pan/str"] == ("100%R",)


# ---- meters ----------------------------------------------------------------------------------------
def metered(tmp_path: Path, amp: float) -> Emulator:
    audio = write_wav(tmp_path / "tone.wav", sine(440.0, seconds=2.0, amp=amp))
    project = Project(tracks=[Track("tone", audio=audio), Track("silent")])
    emu = Emulator(project, pattern_file=default_patterns())
    emu.dump()
    return emu


def test_vu_while_playing_comes_from_the_rendered_audio(tmp_path: Path) -> None:
    emu = metered(tmp_path, 0.5)
    state = dump(emu)
    assert state["/track/1/vu"] == (0.0,) and state["/master/vu"] == (0.0,)  # stopped: silence
    emu.project.playing = True
    polled(emu)
    time.sleep(0.05)
    fb = {**polled(emu), **polled(emu)}  # sent on change: a value equal to the last one is not repeated
    expected = vu(0.5)  # -6.02 dBFS on a -60..+6 dB meter: 0.818
    assert expected == pytest.approx((20 * math.log10(0.5) + 60.0) / 66.0)
    assert fb["/track/1/vu"][0] == pytest.approx(expected, abs=0.01)
    assert fb["/master/vu"][0] == pytest.approx(expected, abs=0.01)
    state = dump(emu)  # in the dump too (csurf_osc's cache is cleared, the next tick sends every meter)
    assert state["/track/1/vu/L"][0] == pytest.approx(expected, abs=0.01)
    assert state["/master/vu/R"][0] == pytest.approx(expected, abs=0.01)
    assert state["/track/2/vu"] == (0.0,)  # the silent track
    feedback(emu, osc("/track/1/volume/db", -20.0))
    time.sleep(0.05)
    assert polled(emu)["/track/1/vu"][0] == pytest.approx(vu(0.05), abs=0.01)  # post-fader
    emu.project.playing = False
    assert polled(emu)["/track/1/vu"] == (0.0,)


def test_no_meter_feedback_without_vu_patterns(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "tone.wav", sine(440.0, seconds=1.0))
    emu = Emulator(Project(tracks=[Track("tone", audio=audio)]))  # our shipped file has no VU patterns
    emu.project.playing = True
    time.sleep(0.02)
    assert not any(m.address.endswith("/vu") for p in emu.poll() for m in decode_packet(p))
    assert emu.wants_meters is False


def test_messages_are_literal_reaper_datagrams() -> None:
    """The helper builds bytes by hand, independent of the codec under test."""
    assert osc("/track/1/fx/1/openui", 1) == b"/track/1/fx/1/openui\0\0\0\0,i\0\0\0\0\0\x01"
    assert decode_packet(osc("/device/fx/+")) == [Message("/device/fx/+", ())]
