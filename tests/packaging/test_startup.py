"""Start-up stays light: what ``daw-bridge --version``/``--help`` and the analysis import, measured in a fresh
interpreter (``sys.modules`` after the command), the lazy command index matches the commands, and the numpy
stand-ins that keep scipy.signal/optimize out of the analysis equal what scipy computes. Not timed: the speed
figures are in ``benchmarks/bench_startup.py`` (``make bench``)."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import numpy as np
import pytest
import scipy.optimize
import scipy.signal

from daw_bridge.cli import COMMAND_INDEX, COMMAND_MODULES, cli

HEAVY = ("numpy", "scipy", "matplotlib", "soundfile", "pyloudnorm", "daw_bridge.analysis.engine")

# Runs a daw-bridge command line in-process, then prints the heavy modules it imported (exit status kept aside).
_PROBE = """
import json, sys
from daw_bridge.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="daw-bridge")
except SystemExit as exc:
    code = exc.code
heavy = json.loads({heavy!r})
print("\\nHEAVY=" + json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)))
"""


def _heavy_after(*args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = _PROBE.format(heavy=json.dumps(list(heavy)))
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in out.stderr, out.stderr
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY=")][-1]
    return list(json.loads(line.removeprefix("HEAVY=")))


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    assert _heavy_after(*args) == []


def test_version_names_package_and_analysis_version() -> None:
    from daw_bridge import __version__
    from daw_bridge.analysis.engine import ANALYSIS_VERSION

    code = "import sys; sys.argv = ['daw-bridge', '--version']; from daw_bridge.__main__ import main; main()"
    assert _printed_by(code) == f"daw-bridge {__version__} (analysis version {ANALYSIS_VERSION})"


@pytest.mark.parametrize(
    ("command", "allowed"),
    [
        (["headphones", "list"], {"numpy"}),
        (["reaper", "--help"], set()),
        (["status", "--help"], set()),
        (["config", "show"], set()),
        (["analyze", "--help"], {"numpy", "scipy", "soundfile", "daw_bridge.analysis.engine"}),
    ],
)
def test_commands_import_only_what_they_use(command: list[str], allowed: set[str]) -> None:
    """scipy.signal/optimize and matplotlib stay out of commands that neither filter nor draw."""
    heavy = ("numpy", "scipy", "scipy.signal", "scipy.optimize", "matplotlib", "soundfile", "pyloudnorm",
             "daw_bridge.analysis.engine")  # fmt: skip
    found = {m for m in _heavy_after(*command, heavy=heavy) if m in heavy}
    assert found <= allowed, f"{command} imported {sorted(found - allowed)}"


def _printed_by(code: str) -> str:
    """What ``python -c code`` prints, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_analysis_engine_needs_no_scipy_signal_or_optimize() -> None:
    """The analysis imports scipy.fft only (scipy.signal costs ~0.6 s of start-up, scipy.optimize ~0.3 s)."""
    code = (
        "import sys; import daw_bridge.analysis.engine, daw_bridge.analysis.compare, daw_bridge.analysis.cache; "
        "print(sorted(m for m in ('scipy.signal', 'scipy.optimize', 'matplotlib', 'pyloudnorm') if m in sys.modules))"
    )
    assert _printed_by(code) == "[]"


def test_command_index_matches_the_commands() -> None:
    """Every root command is in COMMAND_INDEX, loaded from the modules it names, with its own help's first
    paragraph (so ``--help`` reads exactly as if every module were imported)."""
    commands = dict(cli.commands)  # loads every module
    assert set(COMMAND_INDEX) == set(commands), "update COMMAND_INDEX in daw_bridge/cli/__init__.py"
    for name, (modules, text) in COMMAND_INDEX.items():
        assert set(modules) <= set(COMMAND_MODULES) | {"process", "monitor"}, name
        real = commands[name]
        for limit in (45, 80, 500):
            assert click.Command(name, help=text).get_short_help_str(limit) == real.get_short_help_str(limit), (
                f"COMMAND_INDEX[{name!r}] help differs from the command's own: {real.help!r}"
            )
        owner = real.callback.__module__ if real.callback else None
        if owner is not None and owner.startswith("daw_bridge.cli."):
            assert owner.rsplit(".", 1)[1] in modules, f"{name} is defined in {owner}, not in {modules}"


def test_lazy_group_loads_only_the_named_module() -> None:
    code = (
        "import sys; from daw_bridge.cli import cli; cli.get_command(None, 'reaper'); "
        "print(' '.join(m for m in sys.modules if m.startswith('daw_bridge.cli.')))"
    )
    loaded = {m.removeprefix("daw_bridge.cli.") for m in _printed_by(code).split()}
    command_modules = set(COMMAND_MODULES) | {"process", "monitor"}
    assert loaded & command_modules == {"reaper_cmd"}, loaded  # helpers (output, session) may come along


def test_numpy_stand_ins_equal_scipy() -> None:
    from daw_bridge.analysis.loudness import k_weighting_sos
    from daw_bridge.analysis.peak import kaiser_lowpass
    from daw_bridge.dsp.biquad import sos_response
    from daw_bridge.dsp.nnls import nnls

    for taps, cutoff in ((48, 0.225), (24, 0.45), (12, 0.9)):
        ours = kaiser_lowpass(taps, cutoff, beta=6.0)
        np.testing.assert_allclose(ours, scipy.signal.firwin(taps, cutoff, window=("kaiser", 6.0)), atol=1e-15)
    freqs = np.geomspace(5.0, 23000.0, 300)
    for rate in (44100, 48000, 96000):
        sos = k_weighting_sos(rate)
        expected = scipy.signal.sosfreqz(sos, worN=freqs, fs=rate)[1]
        np.testing.assert_array_equal(sos_response(sos, freqs, sample_rate=rate), expected)  # to the last bit
    rng = np.random.default_rng(7)
    for _ in range(50):
        m, n = int(rng.integers(3, 40)), int(rng.integers(1, 25))
        a, b = rng.standard_normal((m, n)), rng.standard_normal(m)
        x = nnls(a, b)
        assert x.min() >= 0.0
        ref = scipy.optimize.nnls(a, b)[0]
        assert np.linalg.norm(a @ x - b) <= np.linalg.norm(a @ ref - b) + 1e-12


def test_ambience_stand_ins_equal_scipy() -> None:
    """The ambience fit's moving mean and one-pole filter (numpy) give scipy.ndimage's and scipy.signal's."""
    import math

    import scipy.ndimage

    from daw_bridge.analysis import ambience

    rng = np.random.default_rng(11)
    x = rng.random((900, 7)) ** 4
    n, half = x.shape[0], ambience.SMOOTH_FRAMES // 2
    present = np.minimum(np.arange(n) + half, n - 1) - np.maximum(np.arange(n) - half, 0) + 1
    smooth = scipy.ndimage.uniform_filter1d(x, ambience.SMOOTH_FRAMES, axis=0, mode="constant")
    np.testing.assert_allclose(ambience.moving_mean(x), smooth * (ambience.SMOOTH_FRAMES / present)[:, None],
                               rtol=1e-12, atol=1e-15)  # fmt: skip
    d = rng.random(2500)
    for rt in ambience.RT60_GRID_S:
        pole = math.exp(-13.8155 * 0.096 / rt)
        expected = scipy.signal.lfilter([1.0 - pole], [1.0, -pole], d)
        np.testing.assert_allclose(ambience._one_pole(d, pole), expected, rtol=1e-12, atol=1e-15)


def test_kweights_equal_the_scipy_fit() -> None:
    """The K-weight fit (numpy NNLS, numpy response) gives scipy's weights: figures do not move."""
    from daw_bridge.analysis import spectrum

    for rate in (44100, 48000):
        n_fft = spectrum.fft_size(rate)
        hop = 3 * n_fft // 4
        ours = spectrum.kweight_per_bin(rate, n_fft, hop)
        expected = _scipy_kweights(spectrum, rate, n_fft, hop)
        np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


def _scipy_kweights(spectrum: object, rate: int, n_fft: int, hop: int) -> np.ndarray:
    """kweight_per_bin computed with scipy.signal.sosfreqz and scipy.optimize.nnls (as before the stand-ins)."""
    import daw_bridge.dsp.biquad as biquad
    import daw_bridge.dsp.nnls as nnls_module

    def scipy_response(sos: np.ndarray, freqs: np.ndarray, *, sample_rate: float) -> np.ndarray:
        return np.asarray(scipy.signal.sosfreqz(sos, worN=freqs, fs=sample_rate)[1])

    def scipy_nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(scipy.optimize.nnls(a, b)[0])

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(biquad, "sos_response", scipy_response)
        mp.setattr(nnls_module, "nnls", scipy_nnls)
        fn = spectrum.kweight_per_bin.__wrapped__  # type: ignore[attr-defined]
        return np.asarray(fn(rate, n_fft, hop))
    finally:
        mp.undo()


def test_rfft_rows_is_scipys_transform_without_the_scipy_fft_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """pocketfft loaded directly gives scipy.fft.rfft's bits, and the analysis never imports scipy.fft
    (0.12 s of start-up); where that load is impossible, scipy.fft.rfft itself is used."""
    import scipy.fft

    from daw_bridge.analysis import fft

    frames = np.random.default_rng(5).standard_normal((70, 2048)).astype(np.float32)
    expected = scipy.fft.rfft(frames, axis=1, workers=1)
    assert fft._pocketfft_r2c() is not None, "pocketfft not found where this scipy keeps it"
    direct = fft.rfft_rows(frames)
    assert direct.dtype == np.complex64 and np.array_equal(direct, expected)
    monkeypatch.setattr(fft, "_pocketfft_r2c", lambda: None)
    assert np.array_equal(fft.rfft_rows(frames), expected)
    code = (
        "import sys, numpy as np; from daw_bridge.analysis.engine import analyze_file; "
        "from daw_bridge.analysis.fft import rfft_rows; rfft_rows(np.ones((2, 64), np.float32)); "
        "print(sorted(m for m in ('scipy.fft', 'scipy.signal', 'scipy.special') if m in sys.modules))"
    )
    assert _printed_by(code) == "[]"


def test_the_entry_module_imports_nothing_before_its_interrupt_hooks() -> None:
    """A Ctrl-C during an import in ``__main__`` before ``sys.excepthook`` is set prints a traceback through
    daw-bridge's code (seen once: ``from types import TracebackType`` interrupted at 10 ms). Only the built-in
    ``sys`` may be imported before the hooks; type-only imports sit under ``if TYPE_CHECKING``, and there is no
    ``from __future__`` import (it runs an import too)."""
    import ast
    from pathlib import Path

    import daw_bridge

    source = Path(daw_bridge.__file__).with_name("__main__.py").read_text(encoding="utf-8")
    imported: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(ast.unparse(t) == "sys.excepthook" for t in node.targets):
            break
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    else:
        raise AssertionError("__main__ never sets sys.excepthook")
    assert imported == ["sys"]
