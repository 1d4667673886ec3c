"""Odd audio at the analyzer (library and ``daw-bridge analyze``): a clear message or a correct result, never a
traceback or a hang. Files are generated in tmp dirs; the 1-hour file only with ``--slow``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from click.testing import CliRunner

from daw_bridge.analysis.engine import analyze_file
from daw_bridge.cli import cli
from daw_bridge.errors import DawBridgeError, InvalidAudio

RATE = 48000
AMP = 0.5  # a 997 Hz sine at this amplitude in both channels reads 20*log10(0.5) = -6.02 LUFS (BS.1770)
SINE_LUFS = 20 * math.log10(AMP)


def sine(seconds: float, rate: int = RATE, channels: int = 2) -> npt.NDArray[np.float64]:
    t = np.arange(int(seconds * rate)) / rate
    return np.repeat((AMP * np.sin(2 * np.pi * 997.0 * t))[:, None], channels, axis=1)


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["analyze", *args], catch_exceptions=True)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"analyze raised {type(result.exception).__name__}: {result.exception}\n{text}")
    return result.exit_code, text


def assert_clean_error(path: Path, *args: str) -> str:
    code, text = run_cli(str(path), *args)
    assert code != 0, text
    assert "Traceback" not in text
    error_lines = [line for line in text.splitlines() if line.startswith("Error:")]
    assert error_lines and path.name in error_lines[0], text
    with pytest.raises(DawBridgeError) as exc:
        analyze_file(path)
    assert path.name in str(exc.value)
    return error_lines[0]


# ---- files that cannot be analysed: a clear error naming the file ---------------------------------------
def _corrupt(d: Path) -> Path:
    p = d / "corrupt.wav"
    p.write_bytes(np.random.default_rng(3).bytes(40_000))
    return p


def _zero_length(d: Path) -> Path:
    p = d / "zero.wav"
    p.write_bytes(b"")
    return p


def _no_frames(d: Path) -> Path:
    p = d / "noframes.wav"
    sf.write(str(p), np.zeros((0, 2)), RATE)
    return p


def _header_only(d: Path) -> Path:
    p = d / "header-only.wav"
    sf.write(str(p), sine(3.0), RATE, subtype="PCM_16")
    p.write_bytes(p.read_bytes()[:44])
    return p


def _silent(d: Path) -> Path:
    p = d / "silent.wav"
    sf.write(str(p), np.zeros((RATE * 3, 2)), RATE)
    return p


def _nan(d: Path) -> Path:
    p = d / "nan.wav"
    x = sine(3.0).astype(np.float32)
    x[RATE, 0] = np.nan
    sf.write(str(p), x, RATE, subtype="FLOAT")
    return p


def _inf(d: Path) -> Path:
    p = d / "inf.wav"
    x = sine(3.0).astype(np.float32)
    x[2 * RATE, 1] = np.inf
    sf.write(str(p), x, RATE, subtype="FLOAT")
    return p


def _too_short(d: Path) -> Path:
    p = d / "short.wav"
    sf.write(str(p), sine(0.2), RATE)
    return p


def _folder(d: Path) -> Path:
    p = d / "folder.wav"
    p.mkdir()
    return p


def _missing(d: Path) -> Path:
    return d / "missing.wav"


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "make", [_corrupt, _zero_length, _no_frames, _header_only, _silent, _nan, _inf, _too_short, _folder, _missing],
    ids=lambda f: f.__name__.strip("_"),
)
def test_unusable_audio_gets_a_clear_error(tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    assert_clean_error(path)


def test_nan_in_a_reference_names_the_reference(tmp_path: Path) -> None:
    mix = tmp_path / "mix.wav"
    sf.write(str(mix), sine(3.0), RATE)
    bad = _nan(tmp_path)
    code, text = run_cli(str(mix), "--ref", str(bad))
    assert code != 0 and "Traceback" not in text
    assert any(line.startswith("Error:") and bad.name in line for line in text.splitlines()), text


# ---- odd but valid files: the correct figures -------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("name", "rate", "subtype", "fmt"),
    [
        ("u8.wav", RATE, "PCM_U8", "WAV"),
        ("s8.aiff", RATE, "PCM_S8", "AIFF"),
        ("f32.wav", RATE, "FLOAT", "WAV"),
        ("hi-rate.wav", 192000, "PCM_24", "WAV"),
        ("low-rate.wav", 22050, "PCM_16", "WAV"),
    ],
)
def test_odd_formats_measure_the_true_loudness(tmp_path: Path, name: str, rate: int, subtype: str, fmt: str) -> None:
    path = tmp_path / name
    sf.write(str(path), sine(3.0, rate), rate, subtype=subtype, format=fmt)
    m = analyze_file(path)
    assert m.rate == rate and m.channels == 2
    tolerance = 0.3 if "8" in subtype else 0.1  # 8-bit quantization noise
    assert m.loudness.integrated_lufs == pytest.approx(SINE_LUFS, abs=tolerance)
    code, text = run_cli(str(path))
    assert code == 0 and "Traceback" not in text, text


def test_mono_file_has_no_width_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    sf.write(str(path), sine(3.0, channels=1), RATE)
    m = analyze_file(path)
    assert m.channels == 1 and m.width is None
    assert math.isfinite(m.loudness.integrated_lufs)
    assert any("stereo" in n for n in m.notes)


def test_truncated_file_is_an_error_or_the_part_that_is_there(tmp_path: Path) -> None:
    path = tmp_path / "truncated.wav"
    sf.write(str(path), sine(4.0), RATE, subtype="PCM_24")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    try:
        m = analyze_file(path)
    except InvalidAudio as exc:
        assert path.name in str(exc)
        assert_clean_error(path)
    else:
        assert m.loudness.integrated_lufs == pytest.approx(SINE_LUFS, abs=0.1)
        assert m.duration_s == pytest.approx(4.0 * 0.6, abs=0.1)


def test_mix_and_references_with_different_rates_and_channels(tmp_path: Path) -> None:
    mix = tmp_path / "mix.wav"
    sf.write(str(mix), sine(3.0), RATE)
    ref_mono = tmp_path / "ref-mono-44k.wav"
    sf.write(str(ref_mono), sine(3.0, 44100, channels=1), 44100)
    ref_hi = tmp_path / "ref-96k.wav"
    sf.write(str(ref_hi), sine(3.0, 96000), 96000, subtype="PCM_24")
    code, text = run_cli(str(mix), "--ref", str(ref_mono), "--ref", str(ref_hi))
    assert code == 0 and "Traceback" not in text, text
    surround = tmp_path / "ref-5.1.wav"
    sf.write(str(surround), np.repeat(sine(3.0)[:, :1], 6, axis=1), RATE)
    code, text = run_cli(str(mix), "--ref", str(surround))
    assert code != 0 and "Traceback" not in text
    assert any(line.startswith("Error:") and surround.name in line for line in text.splitlines()), text


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_one_hour_file_streams_without_trouble(tmp_path: Path) -> None:
    path = tmp_path / "hour.wav"
    block_s = 60
    with sf.SoundFile(str(path), "w", samplerate=RATE, channels=2, subtype="PCM_16") as f:
        for _ in range(3600 // block_s):
            f.write(sine(block_s))
    m = analyze_file(path)
    assert m.duration_s == pytest.approx(3600.0, abs=0.01)
    assert m.loudness.integrated_lufs == pytest.approx(SINE_LUFS, abs=0.1)
