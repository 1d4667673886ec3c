"""Reference profiles: built from real measurements, round-trip exactly, refused clearly when from another version,
and compared against exactly like the reference files they were built from, with the audio gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.analysis.engine import ANALYSIS_VERSION, analyze_file
from daw_bridge.analysis.measurement import to_plain
from daw_bridge.audio import write_audio
from daw_bridge.cli import cli
from daw_bridge.errors import ProfileError
from daw_bridge.profiles.store import (
    build_profile,
    list_profiles,
    load_profile,
    profile_from_json,
    profile_to_json,
    save_profile,
)
from tests.support.signals import add_reverb, music_like

RATE = 48000


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("profiles")
    refs = root / "refs"
    refs.mkdir()
    for name, seed, send in (("mix", 1, -6.0), ("ref1", 2, -12.0), ("ref2", 3, -10.0)):
        audio = add_reverb(music_like(6.0, RATE, seed=seed), RATE, rt60_s=0.7, send_db=send)
        write_audio((root if name == "mix" else refs) / f"{name}.wav", audio, RATE)
    return root


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_profile_round_trips_exactly(folder: Path, tmp_path: Path) -> None:
    measured = [analyze_file(p) for p in sorted((folder / "refs").glob("*.wav"))]
    profile = build_profile("Pop 2024", measured)
    text = profile_to_json(profile)
    again = profile_from_json(text)
    assert again == profile
    assert profile_to_json(again) == text
    assert [to_plain(m) for m in again.references] == [to_plain(m) for m in profile.references]
    assert all(m.path is None for m in again.references)  # the builder's local paths are not shared
    path = save_profile(profile, folder=tmp_path)
    assert load_profile(path) == profile and list_profiles(folder=tmp_path) == ["Pop 2024"]
    summary = json.loads(text)["summary"]
    loud = sorted(m.loudness.integrated_lufs for m in measured)
    assert summary["loudness"]["min"] == loud[0] and summary["loudness"]["max"] == loud[-1]
    assert summary["loudness"]["unit"] == "LUFS" and summary["loudness"]["n"] == 2


def test_other_versions_and_damaged_files_are_refused_with_the_way_out(folder: Path) -> None:
    measured = [analyze_file(sorted((folder / "refs").glob("*.wav"))[0])]
    doc = json.loads(profile_to_json(build_profile("p", measured)))
    old = dict(doc, analysis_version=ANALYSIS_VERSION - 1)
    with pytest.raises(ProfileError, match=rf"analysis version {ANALYSIS_VERSION - 1}.*rebuild it"):
        profile_from_json(json.dumps(old), source="old.json")
    with pytest.raises(ProfileError, match="profile format 99"):
        profile_from_json(json.dumps(dict(doc, schema=99)))
    with pytest.raises(ProfileError, match="not a daw-bridge reference profile"):
        profile_from_json(json.dumps({"name": "x"}))
    with pytest.raises(ProfileError, match="invalid JSON"):
        profile_from_json("{")
    broken = dict(doc, references=[{"name": "x"}])
    with pytest.raises(ProfileError, match="damaged profile"):
        profile_from_json(json.dumps(broken))
    with pytest.raises(ProfileError, match="holds no references"):
        profile_from_json(json.dumps(dict(doc, references=[])))


def test_names_are_checked_and_nothing_is_replaced_without_force(folder: Path, tmp_path: Path) -> None:
    measured = [analyze_file(sorted((folder / "refs").glob("*.wav"))[0])]
    with pytest.raises(ProfileError, match="profile name"):
        build_profile("../escape", measured)
    with pytest.raises(ProfileError, match="no references"):
        build_profile("empty", [])
    first = build_profile("keep", measured)
    path = save_profile(first, folder=tmp_path)
    before = path.read_bytes()
    with pytest.raises(ProfileError, match="already exists.*--force"):
        save_profile(build_profile("keep", measured), folder=tmp_path)
    assert path.read_bytes() == before
    save_profile(build_profile("keep", measured), folder=tmp_path, force=True)


def test_cli_profile_compares_like_the_files_without_the_audio(folder: Path, data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    built = runner.invoke(cli, ["profile", "build", "Pop 2024", "--refs-dir", str(folder / "refs"), "--json"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.output)["references"] == ["ref1.wav", "ref2.wav"]
    with_files = runner.invoke(cli, ["analyze", str(folder / "mix.wav"), "--refs-dir", str(folder / "refs"),
                                     "--json", *cache])
    assert with_files.exit_code == 0, with_files.output
    # move the reference audio away: the profile holds everything the comparison needs
    gone = tmp_path / "gone"
    (folder / "refs").rename(gone)
    try:
        with_profile = runner.invoke(cli, ["analyze", str(folder / "mix.wav"), "--profile", "Pop 2024", "--json",
                                           *cache])
    finally:
        gone.rename(folder / "refs")
    assert with_profile.exit_code == 0, with_profile.output
    a, b = json.loads(with_files.output), json.loads(with_profile.output)
    assert a["deviation"] == b["deviation"] and a["findings"] == b["findings"]
    listed = json.loads(runner.invoke(cli, ["profile", "list", "--json"]).output)
    assert [(p["name"], p["references"]) for p in listed["profiles"]] == [("Pop 2024", 2)]
    shown = runner.invoke(cli, ["profile", "show", "Pop 2024"])
    assert shown.exit_code == 0 and "loudness" in shown.output and "LUFS" in shown.output
    again = runner.invoke(cli, ["profile", "build", "Pop 2024", "--refs-dir", str(folder / "refs")])
    assert again.exit_code == 1 and "already exists" in again.output and "--force" in again.output


def test_cli_errors_name_the_profile(data_dir: Path, folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["analyze", str(folder / "mix.wav"), "--profile", "Nope", "--cache-dir",
                                  str(tmp_path / "c")])
    assert missing.exit_code == 1 and "no profile named 'Nope'" in missing.output
    shared = tmp_path / "shared.json"
    shared.write_text('{"kind": "something else"}')
    bad = runner.invoke(cli, ["profile", "import", str(shared)])
    assert bad.exit_code == 1 and f"{shared}: not a daw-bridge reference profile" in bad.output
    assert "Traceback" not in missing.output + bad.output
    empty = runner.invoke(cli, ["profile", "list"])
    assert empty.exit_code == 0 and "No profiles yet" in empty.output
