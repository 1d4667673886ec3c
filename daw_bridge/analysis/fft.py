"""Real FFT of float32 frames, by scipy's pocketfft, without importing the ``scipy.fft`` package when possible.

``import scipy.fft`` costs about 0.12 s of start-up beyond numpy (it pulls in scipy.special, numpy.testing and
importlib.metadata): a seventh of ``daw-bridge analyze`` on a 4-minute file, run as a process. The transform
itself is one compiled module, ``scipy/fft/_pocketfft/pypocketfft``, whose ``r2c`` is what ``scipy.fft.rfft``
calls. :func:`rfft_rows` loads that file directly and calls ``r2c`` the way scipy does; when the file is not
where this scipy version keeps it, or a probe transform disagrees with numpy's, it uses ``scipy.fft.rfft``.
numpy's own float32 FFT would spare scipy altogether but is about 5x slower here. A test checks that both paths
give the same bits.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_MODULE = "scipy.fft._pocketfft.pypocketfft"


@functools.cache
def _pocketfft_r2c() -> Callable[..., Any] | None:
    """pocketfft's ``r2c(array, axes, forward, norm_mode, out, workers)``, or None where it cannot be had."""
    try:
        import scipy  # the package alone is cheap; scipy.fft is what costs

        folder = Path(scipy.__file__).parent / "fft" / "_pocketfft"
        path = next((folder / f"pypocketfft{s}" for s in importlib.machinery.EXTENSION_SUFFIXES
                     if (folder / f"pypocketfft{s}").is_file()), None)  # fmt: skip
        if path is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(_MODULE, str(path))
        spec = importlib.util.spec_from_file_location(_MODULE, path, loader=loader)
        if spec is None:
            return None
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        r2c: Callable[..., Any] = module.r2c
        probe = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 12)
        got = r2c(probe, (1,), True, 0, None, 1)
        if got.dtype != np.complex64 or not np.allclose(got, np.fft.rfft(probe.astype(np.float64), axis=1), atol=1e-5):
            return None
        return r2c
    except Exception:  # any other scipy layout or binding: the public path below
        return None


def rfft_rows(frames: npt.NDArray[np.float32]) -> npt.NDArray[np.complex64]:
    """``scipy.fft.rfft(frames, axis=1, workers=1)`` of ``(n_frames, n_fft)`` float32 frames (complex64)."""
    r2c = _pocketfft_r2c()
    if r2c is not None:
        return np.asarray(r2c(frames, (1,), True, 0, None, 1))
    import scipy.fft

    return np.asarray(scipy.fft.rfft(frames, axis=1, workers=1))
