"""Rooms: the shipped files parse and match the slider's list; a room's response has its image sources at the
delays the geometry gives (checked against a reflection computed here by hand); the car is asymmetric."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.dsp.params import SPEAKER_ROOMS
from daw_bridge.errors import InvalidParameter
from daw_bridge.speakers.image_source import SPEED_OF_SOUND, image_sources
from daw_bridge.speakers.response import render
from daw_bridge.speakers.rooms import all_rooms, load_room, room, rooms_dir
from tests.speakers.support import delta_sofa

RATE = 48000


def test_room_files_are_the_rooms_of_the_slider() -> None:
    assert sorted(p.stem for p in rooms_dir().glob("*.toml")) == sorted(SPEAKER_ROOMS)
    rooms = all_rooms()
    assert [r.name for r in rooms] == list(SPEAKER_ROOMS)
    assert room("Control Room").name == "control-room"
    assert room("direct").size_m is None and room("car").system == "car" and room("cube").system == "cube"
    with pytest.raises(InvalidParameter, match="choose one of direct, control-room"):
        room("concert-hall")


def test_a_broken_room_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (rooms_dir() / "control-room.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("absorption = [0.7, 0.8, 0.6, 0.6, 0.15, 0.7]", "absorption = [0.7, 0.8]"))
    with pytest.raises(InvalidParameter, match=r"bad\.toml.*absorption"):
        load_room(bad)
    bad.write_text("length_ms = [")
    with pytest.raises(InvalidParameter, match=r"bad\.toml: unreadable room file"):
        load_room(bad)


def test_image_sources_sit_at_the_computed_delays(tmp_path: Path) -> None:
    """Through a head that is not there (an impulse at both ears from every direction) the response is a train of
    clicks: each image source's click is where its path length says, with its gain; the floor reflection,
    computed here from the geometry alone, is among them."""
    sofa = delta_sofa(tmp_path / "delta.sofa")
    rm = dataclasses.replace(room("control-room"), absorption_hf=None)  # broadband walls: each click is one gain
    resp = render(rm, RATE, sofa=sofa)
    left = rm.speakers[0].position_m
    lx, ly, lz = rm.listener_m
    direct = np.linalg.norm(np.subtract(left, rm.listener_m))
    floor = np.linalg.norm([left[0] - lx, left[1] - ly, -left[2] - lz])  # the mirror image below the floor
    floor_delay = (floor - direct) / SPEED_OF_SOUND
    imgs = resp.images[0]
    assert np.min(np.abs(imgs.delay_s - floor_delay)) < 1e-9
    ear = resp.ir[:, 0, 0]  # left input, left ear: its clicks
    checked = 0
    for delay, gain in zip(imgs.delay_s, imgs.gain, strict=True):
        if delay * 1000 > rm.tail_start_ms - 12.0:  # before the tail fades in
            break
        others = np.abs(imgs.delay_s - delay) * RATE
        if np.sum(others < 10.0) > 1:  # arrivals closer than 10 samples overlap in the window
            continue
        at = delay * RATE + resp.lead_frames
        window = ear[int(at) - 3 : int(at) + 5]
        peak = int(np.argmax(np.abs(window))) + int(at) - 3
        assert abs(peak - at) <= 1.0, f"image at {delay * 1000:.3f} ms peaks at frame {peak}, expected {at:.1f}"
        amplitude = float(np.sqrt(np.sum(window**2)))  # a fractional-delay click spreads over a few samples
        assert amplitude == pytest.approx(gain * resp.scale, rel=0.1)
        checked += 1
    assert checked >= 5


def test_free_field_has_only_the_direct_sound() -> None:
    imgs = image_sources(room_m=None, source_m=(1.0, 0.0, 0.0), listener_m=(0.0, 0.0, 0.0), max_delay_s=1.0)
    assert imgs.delay_s.size == 1 and imgs.order[0] == 0
    assert imgs.azimuth_deg[0] == pytest.approx(180.0)  # behind a listener who faces -x


def test_image_source_rejects_a_speaker_outside_the_room() -> None:
    with pytest.raises(InvalidParameter, match="outside"):
        image_sources(room_m=(3.0, 3.0, 3.0), source_m=(4.0, 1.0, 1.0), listener_m=(1.0, 1.0, 1.0))


def test_the_car_seat_is_asymmetric(tmp_path: Path) -> None:
    """Driver's seat: the near door speaker arrives first and louder; the right one later (0.57 and 1.05 m)."""
    sofa = delta_sofa(tmp_path / "delta.sofa")
    resp = render("car", RATE, sofa=sofa)
    near, far = resp.images
    assert near.distance_m[0] < 0.6 < 1.0 < far.distance_m[0]
    assert far.delay_s[0] - near.delay_s[0] == pytest.approx((far.distance_m[0] - near.distance_m[0]) / 343.0)
    assert not resp.room.mirrored and room("control-room").mirrored


def test_a_room_without_reflections_stays_in_range() -> None:
    rm = dataclasses.replace(room("living-room"), absorption=(1.0,) * 6)
    imgs = image_sources(room_m=rm.size_m, source_m=rm.speakers[0].position_m, listener_m=rm.listener_m,
                         absorption=rm.absorption, max_delay_s=0.05)  # fmt: skip
    assert np.all(imgs.gain[imgs.order > 0] == 0.0) and imgs.gain[0] > 0


@pytest.mark.parametrize(("text", "message"), [
    ("length_ms = 100\nlistener = 3\n", "needs a \\[listener\\] table"),
    ("length_ms = 100\n[listener]\nposition_m = [0, 0, 0]\n", "speakers must be left and right"),
    ("length_ms = 100\nspeaker = 1\n[listener]\nposition_m = [0, 0, 0]\n", "speakers are \\[\\[speaker"),
    ("length_ms = 2\n[listener]\nposition_m = [0, 0, 0]\n[[speaker]]\nname = \"centre\"\nposition_m = [1, 0, 0]\n",
     "length_ms 2 must be within"),
])  # fmt: skip
def test_malformed_room_files_are_refused_by_name(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(text)
    with pytest.raises(InvalidParameter, match=rf"odd\.toml: {message}"):
        load_room(path)


def test_walls_absorb_the_top_as_their_file_says(tmp_path: Path) -> None:
    """Only the floor reflects (every other wall absorbs all); with absorption 0.15 below 500 Hz and 0.99 above
    4 kHz its reflection keeps its low end and loses 19.3 dB at 10 kHz (sqrt(0.01 / 0.85)) against broadband walls."""
    sofa = delta_sofa(tmp_path / "delta.sofa")
    walls = (1.0, 1.0, 1.0, 1.0, 0.15, 1.0)
    dull = dataclasses.replace(room("control-room"), absorption=walls, absorption_hf=(1.0, 1.0, 1.0, 1.0, 0.99, 1.0))
    flat = dataclasses.replace(dull, absorption_hf=None)

    def floor_spectrum(rm: object) -> tuple[np.ndarray, np.ndarray]:
        resp = render(rm, RATE, sofa=sofa)  # type: ignore[arg-type]
        ear = resp.ir[:, 0, 0]
        imgs = resp.images[0]
        floor = np.flatnonzero((imgs.order == 1) & (imgs.gain > 0))
        assert floor.size == 1  # the floor's reflection, alone
        at = int(imgs.delay_s[floor[0]] * RATE) + resp.lead_frames
        direct = np.max(np.abs(ear[: resp.lead_frames + 8]))
        spec = np.abs(np.fft.rfft(ear[at - 64 : at + 64] / direct, 1024))
        return np.fft.rfftfreq(1024, 1 / RATE), spec

    freqs, a = floor_spectrum(dull)
    _, b = floor_spectrum(flat)
    low, high = np.argmin(np.abs(freqs - 100.0)), np.argmin(np.abs(freqs - 10000.0))
    assert 20 * np.log10(a[low] / b[low]) == pytest.approx(0.0, abs=0.3)
    assert 20 * np.log10(a[high] / b[high]) == pytest.approx(20 * np.log10(np.sqrt(0.01 / 0.85)), abs=1.0)
