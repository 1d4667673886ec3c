"""ProjectMirror fed with REAPER feedback: slots -> absolute tracks, carry-over on bank change, corrections."""

from __future__ import annotations

import math
import threading

from daw_bridge.osc.codec import Message, encode_bundle
from daw_bridge.osc.dispatch import Dispatcher
from daw_bridge.osc.patterns import load_patterns
from daw_bridge.reaper.mirror import ProjectMirror, parse_pan_str, parse_volume_str


def mirror_with_dispatch(bank_size: int = 8) -> tuple[ProjectMirror, Dispatcher]:
    patterns = load_patterns()
    mirror = ProjectMirror(bank_size=bank_size)
    dispatcher = Dispatcher(patterns)
    mirror.bind(dispatcher)
    return mirror, dispatcher


def feed(d: Dispatcher, *messages: Message) -> None:
    d.dispatch_packet(encode_bundle(list(messages)))


def test_slots_map_to_bank_start_plus_slot() -> None:
    m, d = mirror_with_dispatch()
    feed(d, Message("/track/1/name", ("Kick",)), Message("/track/1/volume/db", (-3.0,)))
    m.set_bank(8, carry=False)
    feed(d, Message("/track/1/name", ("Pad",)), Message("/track/1/pan", (0.25,)), Message("/track/1/solo", (1.0,)))
    kick, pad = m.track_state(1), m.track_state(9)
    assert kick is not None and kick.name == "Kick" and kick.volume_db == -3.0
    assert pad is not None and pad.name == "Pad" and pad.pan == -0.5 and pad.solo


def test_bank_change_carries_slot_values_like_reapers_cache() -> None:
    m, d = mirror_with_dispatch()
    feed(d, Message("/track/2/name", ("A",)), Message("/track/2/volume/db", (-6.0,)), Message("/track/2/mute", (1.0,)))
    m.set_bank(8)  # REAPER now sends only what differs for track 10: here the name
    feed(d, Message("/track/2/name", ("B",)))
    ten = m.track_state(10)
    assert ten is not None and (ten.name, ten.volume_db, ten.mute) == ("B", -6.0, True)
    two = m.track_state(2)
    assert two is not None and two.name == "A"


def test_track_number_feedback_corrects_a_clamped_bank() -> None:
    m, d = mirror_with_dispatch()
    m.set_bank(16, carry=False)  # we asked for bank 3, but the project has 16 tracks: REAPER stays on bank 2
    feed(d, Message("/track/1/name", ("Nine",)), Message("/track/1/number/str", ("9",)),
         Message("/track/1/volume/db", (-9.0,)))
    assert m.bank_start == 8 and m.bank_corrections == 1
    nine = m.track_state(9)
    assert nine is not None and (nine.name, nine.volume_db) == ("Nine", -9.0)
    assert m.track_state(17) is None  # the wrongly attributed record is gone


def test_placeholders_and_track_count() -> None:
    m, d = mirror_with_dispatch()
    feed(d, Message("/track/1/name", ("Mix",)), Message("/track/2/name", ("Track 2",)),
         Message("/track/2/volume/db", (-150.0,)))
    assert [t.name for t in m.tracks()] == ["Mix"]
    assert m.last_real_track() == 1
    m.set_track_count(1)
    assert m.track_state(2) is None


def test_strings_update_values_whose_exact_form_was_not_echoed() -> None:
    m, d = mirror_with_dispatch()
    feed(d, Message("/track/1/name", ("A",)), Message("/track/1/volume/db", (-6.004,)))
    feed(d, Message("/track/1/volume/str", ("-6.00dB",)))  # same value at 0.01 dB: keep the precise one
    assert abs(m.track_state(1).volume_db + 6.004) < 1e-5  # type: ignore[union-attr]
    feed(d, Message("/track/1/volume/str", ("-12.50dB",)), Message("/track/1/pan/str", ("25%L",)))
    state = m.track_state(1)
    assert state is not None and state.volume_db == -12.5 and state.pan == -0.25
    assert parse_volume_str("-inf dB") == -math.inf and parse_volume_str("loud") is None
    assert parse_pan_str("center") == 0.0 and parse_pan_str("100%R") == 1.0 and parse_pan_str("?") is None


def test_fx_transport_markers_and_master() -> None:
    m, d = mirror_with_dispatch()
    feed(
        d,
        Message("/track/3/name", ("Vox",)),
        Message("/track/3/fx/2/name", ("ReaComp",)),
        Message("/track/3/fx/2/bypass", (0.0,)),
        Message("/track/3/fx/2/fxparam/4/value", (0.75,)),
        Message("/play", (1.0,)),
        Message("/repeat", (1.0,)),
        Message("/time", (12.5,)),
        Message("/loop/start/time", (4.0,)),
        Message("/loop/end/time", (8.0,)),
        Message("/marker/1/name", ("Chorus",)),
        Message("/marker/1/number/str", ("3",)),
        Message("/marker/1/time", (30.0,)),
        Message("/marker/2/name", ("",)),
        Message("/marker/2/number/str", ("",)),
        Message("/master/volume/db", (-1.5,)),
    )
    vox = m.tracks()[0]
    assert vox.fx[0].index == 2 and vox.fx[0].name == "ReaComp" and not vox.fx[0].enabled
    assert vox.fx[0].params == (0.75,)
    t = m.transport()
    assert t.playing and t.repeat and t.position_s == 12.5 and (t.loop_start_s, t.loop_end_s) == (4.0, 8.0)
    feed(d, Message("/stop", (1.0,)))
    assert not m.transport().playing
    markers = m.markers()
    assert [(mk.number, mk.name, mk.time_s) for mk in markers] == [(3, "Chorus", 30.0)]
    assert m.master_info().volume_db == -1.5


def test_wait_for_wakes_on_feedback_from_another_thread() -> None:
    m, d = mirror_with_dispatch()
    timer = threading.Timer(0.05, lambda: feed(d, Message("/track/1/mute", (1.0,))))
    timer.start()
    try:
        assert m.wait_for(lambda mm: bool(mm.track_state(1) and mm.track_state(1).mute), 5.0)  # type: ignore[union-attr]
    finally:
        timer.cancel()
    assert not m.wait_for(lambda mm: mm.track_state(99) is not None, 0.01)


def test_out_of_bank_or_named_slots_are_ignored() -> None:
    m, d = mirror_with_dispatch(bank_size=8)
    feed(d, Message("/track/9/name", ("beyond",)), Message("/track/0/name", ("master?",)))
    assert m.tracks() == []
