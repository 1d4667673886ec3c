"""Project model: REAPER solo/mute semantics with folders; the TOML project file round trip and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.emulator.project import Fx, Marker, Project, Send, Track, trim_fx
from daw_bridge.emulator.project_file import load_project, save_project
from daw_bridge.errors import ConfigError, TrackNotFound

from .util import sine, write_wav


def folder_project() -> Project:
    mix = Track("MIX")
    kids = [Track(n, parent=mix.guid) for n in ("drums", "bass", "keys")]
    return Project(tracks=[mix, *kids, Track("REF 1"), Track("REF 2")])


def heard(p: Project) -> set[str]:
    return {t.name for t in p.tracks if p.is_heard(t)}


def test_solo_child_keeps_its_folder_and_silences_the_rest() -> None:
    p = folder_project()
    p.find_track("bass").solo = True  # type: ignore[union-attr]
    assert heard(p) == {"MIX", "bass"}


def test_solo_folder_passes_all_its_children() -> None:
    p = folder_project()
    p.tracks[0].solo = True
    assert heard(p) == {"MIX", "drums", "bass", "keys"}


def test_mute_folder_silences_children_and_no_solo_means_all_unmuted() -> None:
    p = folder_project()
    assert heard(p) == {t.name for t in p.tracks}
    p.tracks[0].mute = True
    p.find_track("REF 2").mute = True  # type: ignore[union-attr]
    assert heard(p) == {"REF 1"}


def test_track_numbers_are_one_based_and_zero_is_master() -> None:
    p = folder_project()
    assert p.track(1).name == "MIX" and p.track(0) is p.master
    assert p.number_of(p.find_track("REF 1")) == 5  # type: ignore[arg-type]
    with pytest.raises(TrackNotFound):
        p.track(7)


def test_snapshot_restore_in_place() -> None:
    p = folder_project()
    snap = p.snapshot()
    p.tracks[1].volume_db = -9.0
    p.markers.append(Marker(1, 2.0, "x"))
    ref = p
    p.restore(snap)
    assert ref is p and p.tracks[1].volume_db == 0.0 and p.markers == []


def test_round_trip(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "a.wav", sine(440.0, seconds=0.5))
    p = folder_project()
    p.tracks[1].audio, p.tracks[1].offset_s, p.tracks[1].volume_db = audio, 1.5, -6.0
    p.tracks[1].fx.append(trim_fx(-3.0, enabled=False))
    p.tracks[1].fx.append(Fx("ReaEQ", presets=["Flat", "Air"], preset="Air"))
    p.tracks[1].sends.append(Send(p.tracks[0].guid, volume_db=-9.0, pan=0.25, mute=True))
    p.monitor_fx.append(Fx("JS: daw-bridge/correction", True, {"preamp_db": -6.1, "band1_type": 1.0}))
    p.markers = [Marker(1, 10.0, "Chorus", "#ff8000"), Marker(1, 4.0, "R", None, 8.0)]
    p.loop_start_s, p.loop_end_s = 2.0, 4.0
    p.set_ext_state("daw_bridge", "ab_state", '{"current": "mix"}')
    q = load_project(save_project(p, tmp_path / "p.toml"))
    assert [t.name for t in q.tracks] == [t.name for t in p.tracks]
    assert q.parent_of(q.tracks[2]) is q.tracks[0]
    assert q.tracks[1].audio == audio.resolve() and q.tracks[1].offset_s == 1.5 and q.tracks[1].volume_db == -6.0
    assert q.tracks[1].fx[0].enabled is False and q.tracks[1].fx[0].params == {"gain_db": -3.0}
    assert q.monitor_fx[0].params["preamp_db"] == -6.1
    assert (q.tracks[1].fx[1].presets, q.tracks[1].fx[1].preset) == (["Flat", "Air"], "Air")
    snd = q.tracks[1].sends[0]
    assert (q.by_guid(snd.dest), snd.volume_db, snd.pan, snd.mute) == (q.tracks[0], -9.0, 0.25, True)
    assert [(m.number, m.time_s, m.name, m.color, m.end_s) for m in q.markers] == [
        (1, 10.0, "Chorus", "#ff8000", None), (1, 4.0, "R", None, 8.0)]
    assert (q.loop_start_s, q.loop_end_s) == (2.0, 4.0)
    assert q.get_ext_state("daw_bridge", "ab_state") == '{"current": "mix"}'
    assert q.length_s() == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[tracks]]\nname = "a"\nparent = "nope"\n', "parent 'nope'"),
        ('[[markers]]\ntime_s = 1.0\ncolor = "red"\n', "color"),
        ('[project]\nsample_rate = "fast"\n', "sample_rate"),
        ('[[tracks]]\nvolume_db = 1\n', "name"),
        ('[project]\nloop = [5.0, 2.0]\n', "loop"),
        ("not toml [", "not valid TOML"),
        ('[[tracks]]\nname = "a"\nsends = [{ dest = "nope" }]\n', "sends[0].dest 'nope'"),
    ],
)
def test_bad_project_files_name_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert str(path) in str(info.value) and needle in str(info.value)


def test_missing_project_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_project(tmp_path / "none.toml")
