"""What the Lua tests need on this machine, and the reason to skip when it is missing.

The specs run our REAPER scripts under Debian's ``lua5.4`` with ``busted``; the stand-in for REAPER's API lists
folders with LuaFileSystem (``lfs``). Each missing piece is named with the Debian package that brings it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

#: Debian packages, by what they provide.
PACKAGES = {"lua5.4": "lua5.4", "busted": "lua-busted", "lfs": "lua-filesystem"}


@functools.cache
def _has_lfs(lua: str) -> bool:
    proc = subprocess.run([lua, "-e", 'require("lfs")'], capture_output=True, timeout=30, check=False)
    return proc.returncode == 0


def missing_for_lua(*, busted: bool = False) -> str | None:
    """Why the Lua tests cannot run here (the missing pieces and the packages to install), or None."""
    lua = shutil.which("lua5.4")
    missing = []
    if lua is None:
        missing.append("lua5.4")
    if busted and shutil.which("busted") is None:
        missing.append("busted")
    if lua is not None and not _has_lfs(lua):
        missing.append("lfs")
    if not missing:
        return None
    packages = " ".join(PACKAGES[m] for m in missing)
    return f"Lua tests skipped: {', '.join(missing)} not installed (Debian: apt-get install {packages})"
