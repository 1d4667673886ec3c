"""The reference A/B loop against the emulator: atomic switches, stored state, cycling, blind mode, alignment."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.errors import InvalidParameter, TrackNotFound
from daw_bridge.osc.codec import decode_packet
from daw_bridge.workflows.ab import ABLoop, BlindTest, find_offset
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.roles import ABState, Roles, audible_changes, find_roles


def audible_names(s: EmbeddedSession) -> set[str]:
    """Tracks the emulator's project would let through: unmuted top-level tracks (MIX folder or references)."""
    return {t.name for t in s.emulator.project.tracks if t.parent is None and not t.mute}


def record_packets(s: EmbeddedSession) -> list[bytes]:
    transport = s.daw.client.transport
    sent: list[bytes] = []
    original = transport.send

    def spy(packet: bytes) -> None:
        sent.append(packet)
        original(packet)

    transport.send = spy  # type: ignore[method-assign]
    return sent


def test_roles_found_by_prefix(session: EmbeddedSession) -> None:
    roles = find_roles(session.daw, session.config)
    assert roles == Roles(mix="MIX", references=("REF 1", "REF 2"))


def test_missing_mix_track_is_named(session: EmbeddedSession) -> None:
    from dataclasses import replace

    with pytest.raises(TrackNotFound, match="no mix track named 'BUS'.*MIX, drums"):
        find_roles(session.daw, replace(session.config, mix_track="BUS"))


def test_switch_is_one_bundle_and_exclusive(session: EmbeddedSession) -> None:
    ab = ABLoop(session.daw, session.config)
    sent = record_packets(session)
    switch = ab.select(2)
    assert switch.current == "REF 2"
    mute_packets = [p for p in sent if any(m.address.endswith("/mute") for m in decode_packet(p))]
    assert len(mute_packets) == 1, "the switch must travel as one packet"
    addresses = [m.address for m in decode_packet(mute_packets[0])]
    assert len([a for a in addresses if a.endswith("/mute")]) == 3  # mix + both references, together
    assert audible_names(session) == {"REF 2"}
    ab.select("mix")
    assert audible_names(session) == {"MIX"}


def test_toggle_and_next_cycle_and_state_is_stored_in_project(session: EmbeddedSession) -> None:
    ab = ABLoop(session.daw, session.config)
    assert ab.toggle().current == "REF 1"
    assert ab.toggle().current == "mix"
    assert ab.toggle().current == "REF 1"  # back to the last used reference
    assert ab.next_reference().current == "REF 2"
    assert ab.next_reference().current == "REF 1"
    stored = session.emulator.project.get_ext_state("daw_bridge", "ab_state")
    assert stored is not None and '"current": "REF 1"' in stored


def test_matched_gain_travels_with_the_unmute(session: EmbeddedSession) -> None:
    state = ABState(mix="MIX", references=("REF 1", "REF 2"), gains_db={"REF 1": -7.25})
    changes = audible_changes(state, "REF 1")
    ref1 = next(c for c in changes if c.track == "REF 1")
    assert ref1.mute is False and ref1.volume_db == -7.25
    assert all(c.volume_db is None for c in changes if c.track != "REF 1")
    session.daw.apply(changes)
    track = next(t for t in session.emulator.project.tracks if t.name == "REF 1")
    assert track.volume_db == pytest.approx(-7.25, abs=1e-4) and not track.mute


def test_bad_targets(session: EmbeddedSession) -> None:
    ab = ABLoop(session.daw, session.config)
    with pytest.raises(InvalidParameter, match="reference 3 does not exist: there are 2"):
        ab.select(3)
    with pytest.raises(InvalidParameter, match="neither 'mix' nor a reference"):
        ab.select("vocal")
    with pytest.raises(InvalidParameter, match="loop"):
        ab.loop(5.0, 2.0)


def test_loop_sets_the_projects_loop(udp_session: EmbeddedSession) -> None:
    ABLoop(udp_session.daw, udp_session.config).loop(4.0, 12.5)
    p = udp_session.emulator.project
    assert (p.loop_start_s, p.loop_end_s, p.repeat) == (pytest.approx(4.0), pytest.approx(12.5), True)


def test_blind_round_scores_guesses(session: EmbeddedSession, tmp_path: Path) -> None:
    ab = ABLoop(session.daw, session.config)
    blind = BlindTest(ab, path=tmp_path / "score.json", rng=random.Random(3))
    assert blind.start() == 3
    hidden = next(iter(audible_names(session)))
    answer = "mix" if hidden == "MIX" else hidden
    right, actual, score = blind.guess(answer)
    assert right and actual == answer and (score.rounds, score.correct) == (1, 1)
    blind.start()
    hidden = next(iter(audible_names(session)))
    wrong = "REF 1" if hidden != "REF 1" else "mix"
    right, _, score = blind.guess(wrong)
    assert not right and (score.rounds, score.correct) == (2, 1)
    with pytest.raises(InvalidParameter, match="no blind round is running"):
        blind.guess("mix")


def test_find_offset_recovers_a_known_shift() -> None:
    rate = 48000
    rng = np.random.default_rng(7)
    n = rate * 6
    clicks = np.zeros(n)
    clicks[rng.choice(n - rate, 24, replace=False)] = 1.0
    music = np.convolve(clicks, np.exp(-np.arange(2000) / 300.0) * rng.standard_normal(2000))[:n]
    shift = int(0.731 * rate)
    ref = np.concatenate([np.zeros(shift), music])[:n]
    offset = find_offset(np.stack([music, music], 1), np.stack([ref, ref], 1), rate)
    assert offset == pytest.approx(0.731, abs=0.002)


def test_udp_switch_over_loopback(udp_session: EmbeddedSession) -> None:
    ab = ABLoop(udp_session.daw, udp_session.config)
    ab.select(1)
    assert audible_names(udp_session) == {"REF 1"}
    mirrored = {t.name: t.mute for t in udp_session.daw.tracks()}
    assert mirrored["REF 1"] is False and mirrored["MIX"] is True and mirrored["REF 2"] is True


def test_offset_moves_the_reference_audio_in_the_daw(session: EmbeddedSession) -> None:
    import soundfile as sf

    from daw_bridge.workflows.renders import render_source

    ab = ABLoop(session.daw, session.config)
    ab.set_offset("REF 1", 0.5)  # the reference's material comes 0.5 s late: play it 0.5 s earlier
    track = session.emulator.project.find_track("REF 1")
    assert track is not None and track.offset_s == pytest.approx(-0.5)
    assert ab.state().offsets_s == {"REF 1": 0.5}
    rendered = render_source(session.daw, ab.state(), "REF 1", session.config.bounce_dir / "t", "ref1")
    out, rate = sf.read(str(rendered.files[0]), always_2d=True)
    source, _ = sf.read(str(track.audio), always_2d=True)
    shift = int(0.5 * rate)
    n = rate * 5
    assert np.allclose(out[:n], source[shift : shift + n], atol=1e-4)
    with pytest.raises(InvalidParameter, match="beyond"):
        ab.set_offset("REF 1", 60.0)
