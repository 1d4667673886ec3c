"""Session-file editing (OSC activation, audio injection, markers) on a session laid out as Ardour 7.3 writes it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.ardour import session
from daw_bridge.errors import InvalidAudio

SESSION_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Session version="7002" name="s" sample-rate="48000" id-counter="300" name-counter="1">
  <Sources/>
  <Regions/>
  <Locations>
    <Location id="120" name="user" start="a282240000" end="a282240000" flags="IsMark" locked="0" cue="0"/>
  </Locations>
  <Routes>
    <Route id="121" name="REF 1" default-type="audio" audio-playlist="183">
      <IO name="REF 1" id="130" direction="Input" default-type="audio">
        <Port type="audio" name="REF 1/audio_in 1"/><Port type="audio" name="REF 1/audio_in 2"/>
      </IO>
    </Route>
  </Routes>
  <Playlists>
    <Playlist id="183" name="REF 1" type="audio" orig-track-id="121"/>
  </Playlists>
  <ControlProtocols>
    <Protocol name="Mackie" active="0"/>
    <Protocol name="Open Sound Control (OSC)" active="0"/>
  </ControlProtocols>
</Session>
"""


@pytest.fixture
def sess(tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "s.ardour").write_text(SESSION_XML)
    return folder


def write_wav(path: Path, *, rate: int = 48000, frames: int = 24000, channels: int = 2) -> Path:
    sf.write(path, np.zeros((frames, channels)) + 0.1, rate, subtype="FLOAT")
    return path


def test_enable_osc_activates_and_replies_to_sender(sess: Path) -> None:
    session.enable_osc(sess / "s.ardour")
    root = ET.parse(sess / "s.ardour").getroot()
    osc = [p for p in root.iter("Protocol") if p.get("name") == session.OSC_PROTOCOL]
    assert len(osc) == 1
    assert (osc[0].get("active"), osc[0].get("address-only")) == ("1", "0")
    mackie = next(p for p in root.iter("Protocol") if p.get("name") == "Mackie")
    assert mackie.get("active") == "0"


def test_inject_audio_writes_sources_regions_and_range(sess: Path, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "ref.wav")
    copied = session.inject_audio(sess, "REF 1", wav, position_s=1.5)
    assert copied == sess / "interchange" / "s" / "audiofiles" / "ref.wav"
    assert copied.read_bytes() == wav.read_bytes()
    root = ET.parse(sess / "s.ardour").getroot()
    sources = root.findall("Sources/Source")
    assert [(s.get("name"), s.get("channel")) for s in sources] == [("ref.wav", "0"), ("ref.wav", "1")]
    whole = root.find("Regions/Region")
    placed = root.find("Playlists/Playlist/Region")
    assert whole is not None and placed is not None
    half_second = 24000 * session.SUPERCLOCK_RATE // 48000
    assert whole.get("length") == f"a{half_second}@a0"
    assert placed.get("length") == f"a{half_second}@a{3 * half_second}"
    assert placed.get("source-1") == sources[1].get("id")
    rng = next(loc for loc in root.iter("Location") if loc.get("flags") == "IsSessionRange")
    assert rng.get("end") == f"a{4 * half_second}"
    ids = [int(e.get("id", "0")) for e in root.iter() if e.get("id", "").isdigit()]
    assert len(ids) == len(set(ids))
    assert int(root.get("id-counter", "0")) > max(ids)


def test_second_injection_never_overwrites(sess: Path, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "ref.wav")
    first = session.inject_audio(sess, "REF 1", wav)
    second = session.inject_audio(sess, "REF 1", wav)
    assert first != second and first.exists() and second.exists()


def test_rate_mismatch_is_refused_naming_the_file(sess: Path, tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "r44.wav", rate=44100)
    with pytest.raises(InvalidAudio, match="r44.wav: 44100 Hz"):
        session.inject_audio(sess, "REF 1", wav)


def test_channel_mismatch_and_unknown_track(sess: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidAudio, match="1 channel"):
        session.inject_audio(sess, "REF 1", write_wav(tmp_path / "mono.wav", channels=1))
    with pytest.raises(session.SessionFileError, match="no track named 'REF 9'"):
        session.inject_audio(sess, "REF 9", write_wav(tmp_path / "ok.wav"))


def test_broken_session_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "bad.ardour").write_text("<Session")
    with pytest.raises(session.SessionFileError, match="bad.ardour: cannot parse"):
        session.enable_osc(folder / "bad.ardour")
    with pytest.raises(session.SessionFileError, match="no Ardour session file"):
        session.session_file(tmp_path / "missing")


def test_read_markers_skips_session_range(sess: Path, tmp_path: Path) -> None:
    session.inject_audio(sess, "REF 1", write_wav(tmp_path / "ref.wav"))
    markers = session.read_markers(sess / "s.ardour")
    assert markers == [session.SessionMarker("user", 1.0, 1.0, "IsMark")]
