"""Run the Lua specs (tests/lua/*_spec.lua) with Debian's busted under lua5.4; fail if any spec fails.

Skipped, with the reason, where lua5.4 or busted is missing (``.ci/run`` installs both).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LUA_TESTS = Path(__file__).parent / "lua"


def busted_command() -> list[str]:
    lua = shutil.which("lua5.4")
    busted = shutil.which("busted")
    if lua is None or busted is None:
        missing = " and ".join(n for n, p in (("lua5.4", lua), ("busted", busted)) if p is None)
        pytest.skip(f"Lua specs skipped: {missing} not installed (Debian: apt-get install lua5.4 lua-busted)")
    # busted's shebang runs whatever `lua` is; --lua re-runs it under lua5.4 (also set in tests/lua/.busted).
    return [busted, "--lua=lua5.4", "--output=TAP"]


def test_lua_specs_pass_under_lua54() -> None:
    proc = subprocess.run(
        [*busted_command(), "."],
        cwd=LUA_TESTS, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120, check=False,
    )
    out = proc.stdout + proc.stderr
    oks = len(re.findall(r"^ok \d+", proc.stdout, flags=re.M))
    failures = re.findall(r"^not ok \d+ - (.*)$", proc.stdout, flags=re.M)
    assert proc.returncode == 0 and not failures, f"{len(failures)} Lua spec(s) failed:\n{out[-6000:]}"
    assert oks >= 70, f"expected the whole Lua suite to run, saw {oks} passing specs:\n{out[-3000:]}"
