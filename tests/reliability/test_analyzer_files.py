"""The analyzer against files that are not what they claim (issue 17).

``daw-bridge analyze fifo.wav`` hung forever; a 10 GB sparse file whose WAV header claims 4 GB of data did not
finish in 120 s (the cache hashed all 10 GB, twice, before any progress); one unreadable file in ``--refs-dir``
aborted the whole run.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from daw_bridge.analysis import cache as cache_mod
from daw_bridge.analysis.cache import AnalysisCache
from daw_bridge.analysis.engine import analyze_file
from daw_bridge.audio import write_audio
from daw_bridge.cli import cli
from daw_bridge.errors import InvalidAudio


def sparse_wav(path: Path, *, rate: int, channels: int, bits: int, data_bytes: int, file_bytes: int) -> Path:
    """A PCM WAV header claiming ``data_bytes`` of samples, in a sparse file of ``file_bytes`` (all zeros)."""
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    header = (b"RIFF" + struct.pack("<I", min(0xFFFFFFFF, data_bytes + 36)) + b"WAVE" + b"fmt "
              + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_bytes))
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(file_bytes)
    return path


def tone(path: Path, seconds: float = 3.0, amplitude: float = 0.3) -> Path:
    t = np.arange(int(48000 * seconds)) / 48000
    sig = amplitude * np.sin(2 * np.pi * 997 * t)
    return write_audio(path, np.stack([sig, sig], axis=1), 48000)


def invoke_with_deadline(args: list[str], seconds: float = 10.0) -> Result:
    """Run the CLI in a thread; a run that blocks fails the test instead of hanging it."""
    out: list[Result] = []
    thread = threading.Thread(target=lambda: out.append(CliRunner().invoke(cli, args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"daw-bridge {' '.join(args)} still running after {seconds} s"
    return out[0]


def test_analyze_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.wav"
    os.mkfifo(fifo)
    # a child process with a deadline: a thread blocked in open() on the FIFO would outlive the test
    proc = subprocess.run([sys.executable, "-m", "daw_bridge", "analyze", str(fifo), "--no-cache"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "FIFO, not a regular file" in proc.stderr and str(fifo) in proc.stderr
    assert "Traceback" not in proc.stderr
    with pytest.raises(InvalidAudio, match="FIFO"):
        analyze_file(fifo)


def test_a_header_claiming_149_hours_is_refused_at_once(tmp_path: Path) -> None:
    """4 GB of 8 kHz 8-bit mono in a 10 GB sparse file. In a child process with a deadline: without the bound it
    would stream for hours."""
    path = sparse_wav(tmp_path / "absurd.wav", rate=8000, channels=1, bits=8, data_bytes=0xFFFFFFF0,
                      file_bytes=10 << 30)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "daw_bridge", "analyze", str(path), "--no-cache"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr[-1000:]
    assert "claims 149.1 hours of audio" in proc.stderr and "at most 12 hours" in proc.stderr
    assert time.monotonic() - t0 < 30


def test_a_10_gb_sparse_file_shows_progress_at_once_and_stops_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """6.8 hours of 44.1 kHz 16-bit stereo claimed in a 10 GB sparse file: allowed, so it must stream with progress
    from the start (no hashing of 10 GB first) and stop on Ctrl-C."""
    path = sparse_wav(tmp_path / "big.wav", rate=44100, channels=2, bits=16, data_bytes=0xFFFFFFF0,
                      file_bytes=10 << 30)

    def no_hashing(p: Path) -> str:
        raise AssertionError(f"the cache hashed {p.stat().st_size} bytes before measuring")

    monkeypatch.setattr(cache_mod, "file_sha256", no_hashing)
    calls: list[tuple[float, str]] = []

    def ctrl_c_after_a_few(fraction: float, message: str) -> None:
        calls.append((fraction, message))
        if len(calls) == 3:
            raise KeyboardInterrupt

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        analyze_file(path, progress=ctrl_c_after_a_few, cache=AnalysisCache(tmp_path / "cache"))
    assert time.monotonic() - t0 < 20
    assert "of 24348 s" in calls[0][1]


def test_the_cache_hashes_a_file_once_per_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tone(tmp_path / "mix.wav")
    hashed: list[Path] = []
    real = cache_mod.file_sha256
    def counting(p: Path) -> str:
        hashed.append(p)
        return real(p)

    monkeypatch.setattr(cache_mod, "file_sha256", counting)
    cache = AnalysisCache(tmp_path / "cache")
    analyze_file(path, cache=cache)  # load (miss) + store
    assert hashed == [path]
    analyze_file(path, cache=cache)  # hit
    assert cache.hits == 1 and hashed == [path]


def test_refs_dir_skips_an_unreadable_file_with_a_warning(tmp_path: Path) -> None:
    mix = tone(tmp_path / "mix.wav")
    refs = tmp_path / "refs"
    refs.mkdir()
    tone(refs / "good.wav", amplitude=0.2)
    (refs / "corrupt.wav").write_bytes(os.urandom(5000))
    os.mkfifo(refs / "pipe.flac")
    (refs / "folder.wav").mkdir()
    result = invoke_with_deadline(["analyze", str(mix), "--refs-dir", str(refs), "--no-cache"], seconds=60)
    assert result.exit_code == 0, result.output
    for name in ("corrupt.wav", "pipe.flac", "folder.wav"):
        assert f"Warning: skipped reference {refs / name}" in result.output
    assert "good.wav" in result.output and "mix vs references" in result.output


def test_refs_dir_with_nothing_readable_fails_naming_what_was_skipped(tmp_path: Path) -> None:
    mix = tone(tmp_path / "mix.wav")
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "corrupt.wav").write_bytes(os.urandom(5000))
    os.mkfifo(refs / "pipe.wav")
    result = invoke_with_deadline(["analyze", str(mix), "--refs-dir", str(refs), "--no-cache"], seconds=60)
    assert result.exit_code == 1
    assert "no readable reference left (skipped corrupt.wav, pipe.wav)" in result.output


def test_a_huge_chunk_before_the_data_is_skipped_not_read(tmp_path: Path) -> None:
    """A WAV with a 400 MB JUNK chunk (sparse) before 2 s of audio: the fast WAV reader read the whole chunk into
    memory to skip it (+400 MB). Measured in a fresh child process (ru_maxrss is a high-water mark)."""
    rate, channels = 48000, 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    t = np.arange(rate * 2) / rate
    data = (np.sin(2 * np.pi * 997 * t) * 8000).astype("<i2").repeat(channels).tobytes()
    junk = 400 << 20
    path = tmp_path / "junk.wav"
    with open(path, "wb") as fh:
        body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"JUNK" + struct.pack("<I", junk)
        fh.write(b"RIFF" + struct.pack("<I", 4 + len(body) + junk + 8 + len(data)) + body)
        fh.seek(junk, 1)
        fh.write(b"data" + struct.pack("<I", len(data)) + data)
    code = (
        "import resource, sys; from daw_bridge.audio import iter_blocks; "
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        f"n = sum(b.shape[0] for b in iter_blocks({str(path)!r}, 65536)); "
        "print(n, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-1000:]
    frames, grew_mb = map(int, proc.stdout.split())
    assert frames == rate * 2
    assert grew_mb < 100, f"reading the file grew memory by {grew_mb} MB"
