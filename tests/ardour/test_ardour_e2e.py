"""daw-bridge against a real headless Ardour 7 (skipped where ardour7-lua is missing)."""

from __future__ import annotations

import copy
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from daw_bridge.ardour import session
from daw_bridge.ardour.daw import ArdourDaw
from daw_bridge.ardour.process import ArdourProcess
from daw_bridge.daw import MarkerSpec, MonitorFx, RenderRequest, TrackChange
from daw_bridge.errors import BridgeRefused
from daw_bridge.monitoring import MonitoringState, chain
from daw_bridge.units import gain_to_db

from .conftest import RATE, TRACKS, Rig, requires_ardour

pytestmark = [pytest.mark.ardour, requires_ardour]


def render(rig: Rig, name: str) -> np.ndarray:
    """Render the master through the bridge; audio (frames, 2)."""
    unique = f"{uuid.uuid4().hex[:8]}-{name}"  # the bounce folder may be shared by a module's tests
    result = rig.daw.render(RenderRequest(directory=rig.bounce_dir, file_name=unique, bit_depth=32))
    audio, rate = sf.read(result.files[0], always_2d=True)
    assert rate == RATE
    return audio


def tone_db(audio: np.ndarray, freq_hz: float, channel: int = 0) -> float:
    """Level in dB (re full-scale peak) of the sine at ``freq_hz`` in the steady middle of ``audio``."""
    x = audio[RATE // 2: -RATE // 2, channel]
    t = np.arange(len(x)) / RATE
    amplitude = 2.0 * abs(np.dot(x, np.exp(-2j * np.pi * freq_hz * t))) / len(x)
    return gain_to_db(amplitude)


def audible(audio: np.ndarray) -> set[str]:
    """Which tracks' tones are present (above -100 dBFS) in a render."""
    return {name for name, (freq, _) in TRACKS.items() if tone_db(audio, freq) > -100.0}


def solo_only(rig: Rig, name: str) -> None:
    rig.daw.apply([TrackChange(t, solo=(t == name)) for t in TRACKS])


def test_mirror_reads_the_session(live_rig: Rig) -> None:
    rig = live_rig
    tracks = rig.daw.tracks()
    assert [t.name for t in tracks] == list(TRACKS)
    assert [t.index for t in tracks] == [1, 2, 3]
    assert rig.daw.track("ref 1").index == 2
    info = rig.daw.project_info()
    assert info.sample_rate == RATE
    assert info.length_s == pytest.approx(4.0, abs=1e-3)
    assert info.path == str(rig.session_dir / "tpl.ardour")


def test_gain_in_db_lands_in_the_render(live_rig: Rig) -> None:
    rig = live_rig
    solo_only(rig, "MIX")
    rig.daw.set_volume_db("MIX", -7.5)
    assert rig.daw.track("MIX").volume_db == pytest.approx(-7.5, abs=0.01)
    audio = render(rig, "gain.wav")
    freq, amp = TRACKS["MIX"]
    assert tone_db(audio, freq) - gain_to_db(amp) == pytest.approx(-7.5, abs=0.1)
    assert audible(audio) == {"MIX"}


def test_level_matching_lands_within_0_1_lu_in_a_real_render(live_rig: Rig) -> None:
    rig = live_rig
    meter = pyloudnorm.Meter(RATE)
    source = {n: meter.integrated_loudness(sf.read(p)[0]) for n, p in rig.sources.items()}
    match_db = source["MIX"] - source["REF 1"]
    rig.daw.set_volume_db("REF 1", match_db)
    solo_only(rig, "MIX")
    mix = meter.integrated_loudness(render(rig, "mix.wav"))
    solo_only(rig, "REF 1")
    ref = meter.integrated_loudness(render(rig, "ref.wav"))
    assert abs(ref - mix) < 0.1
    assert abs(match_db) > 3.0  # the match really moved the reference


def test_ab_switch_is_one_bundle_with_exactly_the_right_strips(live_rig: Rig) -> None:
    rig = live_rig
    sent = rig.daw.datagrams_sent
    rig.daw.apply([TrackChange("MIX", mute=True), TrackChange("REF 1", mute=False, solo=True),
                   TrackChange("REF 2", mute=True, solo=False)])
    assert rig.daw.datagrams_sent == sent + 1
    state = {t.name: (t.mute, t.solo) for t in rig.daw.tracks()}
    assert state == {"MIX": (True, False), "REF 1": (False, True), "REF 2": (True, False)}
    assert audible(render(rig, "ab.wav")) == {"REF 1"}
    rig.daw.apply([TrackChange("MIX", mute=False, solo=True), TrackChange("REF 1", solo=False, mute=True)])
    assert audible(render(rig, "ab2.wav")) == {"MIX"}


def test_pan_follows_daw_bridge_convention(live_rig: Rig) -> None:
    rig = live_rig
    solo_only(rig, "MIX")
    rig.daw.set_pan("MIX", -1.0)
    assert rig.daw.track("MIX").pan == pytest.approx(-1.0, abs=1e-3)
    audio = render(rig, "left.wav")
    freq, _ = TRACKS["MIX"]
    assert tone_db(audio, freq, channel=0) - tone_db(audio, freq, channel=1) > 40.0


def test_plugin_parameter_in_native_units_reaches_the_render(live_rig: Rig) -> None:
    rig = live_rig
    solo_only(rig, "REF 2")
    plugins = rig.daw.plugins("REF 2")
    assert plugins[0][:2] == (1, "ACE Amplifier")
    gain = rig.daw.plugin_params("REF 2", 1)[0]
    assert (gain.name, gain.minimum, gain.maximum) == ("Gain", -20.0, 20.0)
    before = render(rig, "amp0.wav")
    rig.daw.set_plugin_param("REF 2", 1, "Gain", 6.0)
    after = render(rig, "amp6.wav")
    freq, _ = TRACKS["REF 2"]
    assert tone_db(after, freq) - tone_db(before, freq) == pytest.approx(6.0, abs=0.05)


def test_markers_via_the_bridge_appear_in_the_saved_session(rig: Rig) -> None:
    rig.daw.replace_markers([MarkerSpec(0.5, "old")])
    rig.daw.replace_markers([MarkerSpec(1.25, "too bright 2.1 dB", "#3399ff"),
                             MarkerSpec(2.0, "section", end_s=3.0)])
    live = rig.daw.markers()
    assert [(m.name, m.time_s, m.end_s, m.color) for m in live] == [
        ("[daw-bridge] too bright 2.1 dB", 1.25, None, "#3399ff"), ("[daw-bridge] section", 2.0, 3.0, "#ff8000")]
    rig.process.stop()
    saved = session.read_markers(rig.session_dir / "tpl.ardour")
    assert [(m.name, m.start_s, m.flags) for m in saved] == [
        ("[daw-bridge] too bright 2.1 dB", 1.25, "IsMark"), ("[daw-bridge] section", 2.0, "IsRangeMarker")]


def test_a_users_marker_named_like_ours_survives_our_replacing(rig: Rig, tmp_path: Path) -> None:
    """Ours are the locations the hook recorded writing, not every name starting with the tag: a user's
    "[daw-bridge] drier" elsewhere on the timeline stays when ours are replaced (and is reported as not ours)."""
    rig.daw.replace_markers([MarkerSpec(1.0, "drier")])
    rig.process.stop()
    path = rig.session_dir / "tpl.ardour"
    tree = ET.parse(path)
    locations = tree.getroot().find("Locations")
    assert locations is not None
    ours = next(loc for loc in locations if loc.get("name") == "[daw-bridge] drier")
    user = copy.deepcopy(ours)
    start = ours.get("start", "")
    user.set("start", start[0] + str(2 * int(start[1:])))
    user.set("end", user.get("start", ""))
    user.set("id", str(int(tree.getroot().get("id-counter", "0")) + 1000))
    tree.getroot().set("id-counter", str(int(tree.getroot().get("id-counter", "0")) + 1001))
    locations.append(user)
    tree.write(path, encoding="UTF-8", xml_declaration=True)
    proc = ArdourProcess(rig.session_dir, bridge_dir=rig.process.bridge_dir, allowed_dirs=(rig.bounce_dir,),
                         log_path=tmp_path / "ardour2.log")
    proc.start()
    daw = ArdourDaw(port=proc.osc_port, bridge_dir=rig.process.bridge_dir, bounce_dir=rig.bounce_dir, timeout_s=5.0)
    try:
        daw.connect()
        assert [(m.name, m.time_s, m.ours) for m in daw.markers()] == [
            ("[daw-bridge] drier", 1.0, True), ("[daw-bridge] drier", 2.0, False)]
        daw.replace_markers([MarkerSpec(3.0, "wider")])
        assert [(m.name, m.time_s, m.ours) for m in daw.markers()] == [
            ("[daw-bridge] drier", 2.0, False), ("[daw-bridge] wider", 3.0, True)]
        assert daw.clear_markers() == 1
        assert [(m.name, m.time_s) for m in daw.markers()] == [("[daw-bridge] drier", 2.0)]
    finally:
        daw.close()
        proc.stop()


def test_monitoring_chain_never_reaches_the_render(live_rig: Rig) -> None:
    rig = live_rig
    rig.daw.apply([TrackChange(t, solo=False) for t in TRACKS])
    clean = render(rig, "clean.wav")
    everything = MonitoringState(headphones="Sennheiser HD 650", crossfeed="default", band="mid", simulation="phone")
    rig.daw.set_monitor_chain(chain(everything, RATE))
    fx = rig.daw.monitor_fx()
    assert [(f["name"], f["enabled"], f["ours"]) for f in fx] == [
        (f"daw-bridge {kind}", True, True) for kind in ("correction", "crossfeed", "simulation", "bandsolo")]
    assert [n.split(" is ")[0] for n in rig.daw.monitor_notes] == ["monitoring effect ceiling"]  # REAPER only
    corrected = render(rig, "corrected.wav")
    assert np.array_equal(clean, corrected)
    ids = [f["id"] for f in fx]
    rig.daw.set_monitor_chain(chain(MonitoringState(headphones="Sennheiser HD 600"), RATE))
    # one copy of ours; the effects switched off stay as pass-throughs and every processor stays in place
    # (parameters updated: each crossfades to its new state itself)
    assert [f["id"] for f in rig.daw.monitor_fx()] == ids
    rig.daw.set_monitor_chain(chain(MonitoringState(headphones="Sennheiser HD 600", band="bass"), RATE))
    after = rig.daw.monitor_fx()
    assert [(f["name"], f["id"], f["enabled"]) for f in after] == [(f["name"], f["id"], True) for f in fx]


def test_bad_monitor_effects_are_refused_not_leaked(live_rig: Rig) -> None:
    rig = live_rig
    with pytest.raises(BridgeRefused) as info:
        rig.daw.set_monitor_chain([MonitorFx("reverb", {"size": 1.0})])
    assert info.value.code == "unsupported"
    with pytest.raises(BridgeRefused) as info:
        rig.daw.set_monitor_chain([MonitorFx("crossfeed", {"level_db": -4.5})])
    assert info.value.code == "bad_args" and "level_db" in str(info.value)
    assert rig.daw.monitor_fx() == []


def test_project_state_and_headless_import(live_rig: Rig) -> None:
    rig = live_rig
    assert rig.daw.get_project_state("ab_state") is None
    rig.daw.set_project_state("ab_state", '{"current": "mix"}')
    assert rig.daw.get_project_state("ab_state") == '{"current": "mix"}'
    with pytest.raises(BridgeRefused) as info:
        rig.daw.insert_reference("REF 3", rig.bounce_dir / "x.wav")
    assert info.value.code == "unsupported"
    assert "inject_audio" in str(info.value)


def test_hostile_mailbox_entries_never_stall_the_ardour_bridge(rig: Rig) -> None:
    """A FIFO, a link to /dev/zero, a folder and an oversized file named like requests: the bridge goes on
    answering (before the fix, the FIFO blocked Ardour's Lua loop and /dev/zero grew its memory)."""
    import os

    requests = rig.process.bridge_dir / "requests"
    requests.mkdir(parents=True, exist_ok=True)
    os.mkfifo(requests / "aaaaaaaa-fifo.json")
    os.symlink("/dev/zero", requests / "aaaaaaaa-zero.json")
    (requests / "aaaaaaaa-folder.json").mkdir()
    (requests / "aaaaaaaa-big00.json").write_bytes(b" " * (2 * 1024 * 1024))
    rig.daw.set_project_state("probe", "alive")
    assert rig.daw.get_project_state("probe") == "alive"
    assert not (requests / "aaaaaaaa-big00.json").exists()  # read (bounded), answered too_large, removed
    big = rig.process.bridge_dir / "responses" / "aaaaaaaa-big00.json"
    assert big.is_file() and "too_large" in big.read_text()
    assert (requests / "aaaaaaaa-fifo.json").exists()  # never opened
