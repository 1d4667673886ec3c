"""Analysis results cached by file content: sha256 of the bytes + the analysis settings, stored as JSON.

The default folder is ``platformdirs.user_cache_dir("daw-bridge")/analysis``; tests pass their own. A cache
entry that cannot be read (old format, partial write) is ignored and recomputed, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

from ..config import APP_NAME
from .measurement import Measurement, measurement_from_plain, to_plain

HASH_CHUNK_BYTES = 1 << 20
#: Files larger than this are not cached: hashing them costs seconds before any progress can be shown (2 GB took
#: 17 s on the busy 2-core test machine). An hour of 48 kHz 24-bit stereo is 1.04 GB.
MAX_HASHED_BYTES = 3 << 29


def default_cache_dir() -> Path:
    """``<user cache dir>/daw-bridge/analysis``."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "analysis"


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class AnalysisCache:
    """JSON files named by ``sha256(content) + sha256(settings)`` in ``folder``."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self._digest: tuple[tuple[str, int, int, int], str] | None = None  # the last file hashed and its hash

    def _entry(self, path: Path, settings: dict[str, Any]) -> Path | None:
        """The cache file for ``path`` under ``settings``; None for a file over :data:`MAX_HASHED_BYTES` (hashing
        10 GB would take longer than measuring it). The file's hash is computed once per (inode, size, mtime)."""
        try:
            st = path.stat()
        except OSError:
            return None
        if st.st_size > MAX_HASHED_BYTES:
            return None
        identity = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if self._digest is None or self._digest[0] != identity:
            self._digest = (identity, file_sha256(path))
        tag = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
        return self.folder / f"{self._digest[1]}-{tag}.json"

    def load(self, path: Path, settings: dict[str, Any]) -> Measurement | None:
        """The cached measurement of ``path`` under ``settings`` (renamed to this path), or None."""
        entry = self._entry(path, settings)
        if entry is None:
            self.misses += 1
            return None
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            result = measurement_from_plain(data)
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            self.misses += 1
            return None
        self.hits += 1
        from dataclasses import replace

        return replace(result, name=path.name, path=str(path))

    def store(self, path: Path, settings: dict[str, Any], result: Measurement) -> None:
        """Write ``result`` atomically (temp file + rename); an unwritable cache is skipped silently."""
        entry = self._entry(path, settings)
        if entry is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(to_plain(result)), encoding="utf-8")
            os.replace(tmp, entry)
        except OSError:
            return


__all__ = ["AnalysisCache", "default_cache_dir", "file_sha256"]
