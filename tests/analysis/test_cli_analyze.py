"""``daw-bridge analyze``: JSON keys, readable summary, bad input as clean errors with exit status 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from daw_bridge.analysis.cache import AnalysisCache
from daw_bridge.analysis.engine import analyze_audio, analyze_file
from daw_bridge.audio import write_audio
from daw_bridge.cli import cli
from tests.support.signals import add_reverb, music_like, pink_noise

RATE = 48000


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    out = {}
    for name, seed, send in (("mix", 1, -6.0), ("ref1", 2, -12.0), ("ref2", 3, -12.0), ("ref3", 4, -10.0)):
        audio = add_reverb(music_like(8.0, RATE, seed=seed), RATE, rt60_s=0.7, send_db=send)
        out[name] = write_audio(folder / f"{name}.wav", audio, RATE)
    out["mono44"] = write_audio(folder / "mono44.wav", music_like(8.0, 44100, seed=9, stereo=False), 44100)
    out["silent"] = write_audio(folder / "silent.wav", np.zeros((RATE * 3, 2)), RATE)
    out["short"] = write_audio(folder / "short.wav", pink_noise(0.3, RATE, seed=1, channels=2), RATE)
    out["surround"] = write_audio(folder / "surround.wav", pink_noise(3.0, RATE, seed=1, channels=6), RATE)
    (folder / "corrupt.wav").write_bytes(b"RIFF" + bytes(range(200)))
    out["corrupt"] = folder / "corrupt.wav"
    out["folder"] = folder
    return out


def _run(args: list[str], tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["analyze", *args, "--cache-dir", str(tmp_path / "cache")])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_json_with_references(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["mix"]), "--ref", str(files["ref1"]), "--json"], tmp_path)
    assert code == 0, out
    data = json.loads(out)
    assert set(data) >= {"mix", "references", "deviation", "findings"}
    for key in ("integrated_lufs", "true_peak_dbtp", "lra_lu"):
        assert isinstance(data["mix"]["loudness"][key], float)
    assert "rt60_s" in data["mix"]["reverb"]
    dev = data["deviation"]
    assert {"loudness_lu", "highs_db", "width_db", "reverb_db", "bands"} <= set(dev)
    assert [b["name"] for b in dev["bands"]][0] == "sub"
    assert {"name", "low_hz", "high_hz", "level_db", "width_db"} <= set(dev["bands"][0])
    assert dev["reverb_db"] > 0  # the mix has the louder send
    for f in data["findings"]:
        assert {"area", "start_s", "end_s", "value", "message"} <= set(f)


def test_json_without_references_prints_the_mix_alone(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["silent"].parent / "ref2.wav"), "--json"], tmp_path)
    assert code == 0
    assert list(json.loads(out)) == ["mix"]


def test_refs_dir_gives_ranges_and_readable_summary(files: dict[str, Path], tmp_path: Path) -> None:
    refs = tmp_path / "refs"
    refs.mkdir()
    for name in ("ref1", "ref2", "ref3"):
        (refs / f"{name}.wav").write_bytes(files[name].read_bytes())
    code, out = _run([str(files["mix"]), "--refs-dir", str(refs), "--json"], tmp_path)
    assert code == 0 and len(json.loads(out)["references"]) == 3 and json.loads(out)["ranges"]
    code, text = _run([str(files["mix"]), "--refs-dir", str(refs)], tmp_path)
    assert code == 0 and "mix vs references" in text and "reverb" in text
    blocks = text.split("\n\n")  # one block per file, each followed by one blank line
    assert [b.split(":")[0] for b in blocks[:4]] == ["mix.wav", "ref1.wav", "ref2.wav", "ref3.wav"]


def test_mono_reference_at_another_rate_is_compared_with_a_note(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["mix"]), "--ref", str(files["mono44"]), "--json"], tmp_path)
    assert code == 0, out
    data = json.loads(out)
    assert data["references"][0]["width"] is None and data["deviation"]["width_db"] is None
    assert any("44100 Hz" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("missing", "file not found"),
        ("corrupt", "not a readable audio file"),
        ("silent", "silent"),
        ("short", "too short"),
        ("folder", "is a directory"),
    ],
)
def test_bad_input_is_a_clean_error(files: dict[str, Path], tmp_path: Path, name: str, problem: str) -> None:
    path = files.get(name, tmp_path / "missing.wav")
    code, out = _run([str(path)], tmp_path)
    assert code != 0
    assert problem in out
    assert path.name in out  # the message names the file


def test_bad_reference_names_the_reference(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["mix"]), "--ref", str(files["corrupt"])], tmp_path)
    assert code != 0 and "corrupt.wav" in out
    code, out = _run([str(files["mix"]), "--ref", str(files["surround"])], tmp_path)
    assert code != 0 and "mix.wav" in out and "surround.wav" in out and "downmix" in out
    code, out = _run([str(files["mix"]), "--region", "oops"], tmp_path)
    assert code != 0 and "START-END" in out


def test_regions_and_cache(files: dict[str, Path], tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "c")
    regions = [(0.0, 3.0, "intro"), (3.0, 8.0, "verse")]
    first = analyze_file(files["mix"], sections=regions, cache=cache)
    again = analyze_file(files["mix"], sections=regions, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1)
    assert again == first
    assert [s.name for s in first.sections] == ["intro", "verse"]
    analyze_file(files["mix"], section_s=2.0, cache=cache)  # other settings: measured again
    assert cache.hits == 1


def test_file_and_array_analysis_agree(files: dict[str, Path]) -> None:
    from daw_bridge.audio import read_audio

    audio, rate = read_audio(files["mix"])
    from_file = analyze_file(files["mix"], progress=lambda f, m: None)
    from_array = analyze_audio(audio, rate)
    assert from_file.loudness.integrated_lufs == pytest.approx(from_array.loudness.integrated_lufs, abs=1e-3)
    assert from_file.reverb.rt60_s == pytest.approx(from_array.reverb.rt60_s, rel=1e-3)


def test_progress_is_reported(files: dict[str, Path]) -> None:
    seen: list[float] = []
    analyze_file(files["mix"], progress=lambda fraction, message: seen.append(fraction))
    assert seen[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in seen)


def test_text_reverb_figures_agree_with_the_json(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["mix"]), "--json"], tmp_path)
    assert code == 0
    reverb = json.loads(out)["mix"]["reverb"]
    assert reverb["method"] == "ambience"
    assert len(reverb["ambience_bands"]) == 7
    code, text = _run([str(files["mix"])], tmp_path)
    assert code == 0
    assert f"ambient/direct {reverb['reverb_db']:.1f} dB" in text
    for band in reverb["bands"]:
        assert f"{band['name']} {band['reverb_db']:.1f}" in text
    if reverb["rt60_s"] is not None:
        assert f"RT60 {reverb['rt60_s']:.2f} s" in text


def test_mono_file_says_what_reverb_cannot_be_measured(files: dict[str, Path], tmp_path: Path) -> None:
    code, out = _run([str(files["mono44"]), "--json"], tmp_path)
    assert code == 0
    mix = json.loads(out)["mix"]
    assert mix["reverb"]["method"] == "free decays"
    assert any("needs two channels" in n for n in mix["notes"])
