"""ReaperClient against a small fake REAPER through MockTransport: banks, bundles, confirmations, errors."""

from __future__ import annotations

import logging
import math
import threading

import pytest

from daw_bridge.daw import TrackChange
from daw_bridge.errors import DawTimeout, DawUnreachable, InvalidParameter, TrackNotFound
from daw_bridge.osc.codec import Message, decode_packet, encode_message
from daw_bridge.osc.patterns import PatternSet, load_patterns
from daw_bridge.reaper.client import ReaperClient
from daw_bridge.reaper.transport import MockTransport
from tests.support.paths import REAPER_DEFAULT_OSC

from .fake_reaper import FakeReaper, FakeTrack

DEFAULT_FILE = REAPER_DEFAULT_OSC


def default_patterns() -> PatternSet:
    if DEFAULT_FILE.exists():
        return PatternSet.from_file(DEFAULT_FILE)
    pytest.skip("REAPER's Default.ReaperOSC reference copy is not available")


def make(n_tracks: int, patterns: PatternSet | None = None) -> tuple[ReaperClient, FakeReaper, MockTransport]:
    patterns = patterns or default_patterns()
    tracks = [
        FakeTrack(f"T{i}", volume_db=-float(i), fx=[["ReaEQ", True]] if i == 3 else [])
        for i in range(1, n_tracks + 1)
    ]
    fake = FakeReaper(patterns, tracks)
    transport = MockTransport(fake.handle)
    client = ReaperClient(transport, patterns, timeout_s=0.5, settle_s=0.0)
    client.connect()
    return client, fake, transport


@pytest.mark.parametrize("n_tracks", [3, 8, 16, 20])
def test_sync_mirrors_every_track_across_banks(n_tracks: int) -> None:
    client, fake, _ = make(n_tracks)
    tracks = client.tracks()
    assert [t.name for t in tracks] == [f"T{i}" for i in range(1, n_tracks + 1)]
    assert [t.volume_db for t in tracks] == [-float(i) for i in range(1, n_tracks + 1)]
    assert client.mirror.track_count == n_tracks
    assert fake.bank_start == 0  # back on the first bank
    if n_tracks >= 3:
        assert client.track(3).fx[0].name == "ReaEQ" and client.track(3).fx[0].enabled


def test_sync_triggers_refresh_action_41743() -> None:
    client, fake, _ = make(2)
    assert Message("/action", (41743,)) in fake.received


def test_volume_beyond_the_bank_is_one_packet_with_bank_select_first() -> None:
    client, fake, transport = make(20)
    transport.sent.clear()
    client.set_volume_db("T19", -12.5)
    assert len(transport.sent) == 1
    msgs = decode_packet(transport.sent[0])
    assert msgs == [Message("/device/track/bank/select", (3,)), Message("/track/3/volume/db", (-12.5,))]
    assert fake.tracks[18].volume_db == -12.5
    assert client.track(19).volume_db == -12.5
    # the bank switch carried slot values over: the mirror still agrees with REAPER everywhere
    for i, t in enumerate(fake.tracks, start=1):
        assert client.track(i).name == t.name and client.track(i).volume_db == t.volume_db


def test_apply_sends_one_bundle_and_waits_for_confirmation() -> None:
    client, fake, transport = make(4)
    transport.sent.clear()
    client.apply([TrackChange(1, mute=True), TrackChange(2, mute=False, solo=True, volume_db=-3.0, pan=0.5)])
    assert len(transport.sent) == 1 and transport.sent[0].startswith(b"#bundle")
    assert fake.tracks[0].mute and fake.tracks[1].solo and fake.tracks[1].pan == 0.5
    assert client.track(1).mute and client.track(2).solo and client.track(2).pan == 0.5


def test_gui_changes_reach_the_mirror() -> None:
    client, fake, transport = make(4)
    fake.tracks[1].volume_db = -20.0
    fake.tracks[1].name = "Bass"
    for packet in fake.dump():
        transport.inject(packet)
    assert client.track("bass").volume_db == -20.0
    assert client.find_track("BASS") == 2


def test_unreachable_raises_within_timeout() -> None:
    patterns = default_patterns()
    client = ReaperClient(MockTransport(lambda packet: []), patterns, timeout_s=0.2)
    with pytest.raises(DawUnreachable, match="no feedback"):
        client.connect()


def test_missing_confirmation_raises_dawtimeout() -> None:
    client, fake, _ = make(4)
    fake.silent = True
    with pytest.raises(DawTimeout, match="mute"):
        client.set_mute(1, True, timeout_s=0.1)


def test_unchanged_value_needs_no_confirmation() -> None:
    client, fake, _ = make(4)
    fake.silent = True  # REAPER sends nothing for an unchanged value; the client must not wait for it
    client.set_volume_db(2, -2.0, timeout_s=0.1)
    client.set_mute(2, False, timeout_s=0.1)


def test_transport_verbs() -> None:
    client, fake, transport = make(2)
    client.play()
    assert fake.playing and client.transport_state().playing
    client.seek(12.5)
    assert client.transport_state().position_s == 12.5
    transport.sent.clear()
    client.set_loop(4.0, 8.0, repeat=True)
    assert len(transport.sent) == 1
    assert [m.address for m in decode_packet(transport.sent[0])] == ["/loop/end/time", "/loop/start/time", "/repeat"]
    state = client.transport_state()
    assert (state.loop_start_s, state.loop_end_s, state.repeat) == (4.0, 8.0, True)
    client.set_loop(1.0, 2.0, repeat=True)  # repeat already on: not toggled off
    assert fake.repeat and fake.loop == (1.0, 2.0)
    client.stop()
    assert not fake.playing


def test_rename_select_fx_and_actions() -> None:
    client, fake, transport = make(10)
    client.rename(10, "Lead")
    assert fake.tracks[9].name == "Lead" and client.find_track("lead") == 10
    client.select(2)
    assert fake.tracks[1].selected and client.track(2).selected
    client.set_fx_enabled(3, 1, False)
    assert fake.tracks[2].fx[0][1] is False and not client.track(3).fx[0].enabled
    transport.sent.clear()
    client.trigger_action("_RSdawbridge_bridge")
    client.trigger_action(40044)
    assert [decode_packet(p)[0] for p in transport.sent] == [
        Message("/action/str", ("_RSdawbridge_bridge",)),
        Message("/action", (40044,)),
    ]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.set_pan(1, 1.5), InvalidParameter),
        (lambda c: c.set_volume_db(1, math.nan), InvalidParameter),
        (lambda c: c.set_mute(99, True), TrackNotFound),
        (lambda c: c.set_mute("nope", True), TrackNotFound),
        (lambda c: c.trigger_action("rm -rf"), InvalidParameter),
        (lambda c: c.seek(-1.0), InvalidParameter),
        (lambda c: c.set_loop(3.0, 2.0), InvalidParameter),
    ],
)
def test_bad_input_is_refused_before_sending(call, error) -> None:  # type: ignore[no-untyped-def]
    client, _, transport = make(3)
    transport.sent.clear()
    with pytest.raises(error):
        call(client)
    assert transport.sent == []


def test_works_with_our_shipped_file_and_64_track_bank() -> None:
    client, fake, transport = make(70, load_patterns())
    assert len(client.tracks()) == 70 and client.mirror.bank_size == 64
    client.set_volume_db(66, -1.0)
    assert fake.tracks[65].volume_db == -1.0
    assert decode_packet(transport.sent[-1])[0] == Message("/device/track/bank/select", (2,))


def test_a_change_spanning_banks_is_still_one_bundle() -> None:
    client, fake, transport = make(20)
    transport.sent.clear()
    client.apply([TrackChange(2, mute=True), TrackChange(18, solo=True, volume_db=-6.0)])
    assert len(transport.sent) == 1
    addresses = [m.address for m in decode_packet(transport.sent[0])]
    assert addresses[0] == "/device/track/count"  # the bank grows to hold both tracks
    assert fake.tracks[1].mute and fake.tracks[17].solo and fake.tracks[17].volume_db == -6.0
    assert client.track(2).mute and client.track(18).solo and client.track(18).volume_db == -6.0
    client.sync()  # back to the pattern file's bank size
    assert fake.bank_size == 8 and client.mirror.bank_size == 8 and len(client.tracks()) == 20


def test_sync_settles_while_reaper_plays_and_polls_time(caplog: pytest.LogCaptureFixture) -> None:
    patterns = default_patterns()
    fake = FakeReaper(patterns, [FakeTrack(f"T{i}") for i in range(1, 12)])
    transport = MockTransport(fake.handle)
    client = ReaperClient(transport, patterns, timeout_s=1.0, settle_s=0.05, dump_timeout_s=3.0)
    client.start()
    stop = threading.Event()

    def play_position() -> None:  # REAPER polls the position and sends it while playing, forever
        t = 0.0
        while not stop.wait(0.005):
            t += 0.005
            transport.inject(encode_message(Message("/time", (t,))))

    ticker = threading.Thread(target=play_position, daemon=True)
    ticker.start()
    try:
        with caplog.at_level(logging.WARNING):
            client.sync()
    finally:
        stop.set()
        ticker.join()
    assert "did not settle" not in caplog.text
    assert len(client.tracks()) == 11 and client.transport_state().position_s > 0
