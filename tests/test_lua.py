"""Run the Lua specs (tests/lua/*_spec.lua) with Debian's busted under lua5.4; fail if any spec fails.

Skipped, with the reason and the package to install, where lua5.4, busted or lua-filesystem is missing
(``.ci/run`` installs them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.lua import missing_for_lua

LUA_TESTS = Path(__file__).parent / "lua"


def busted_command() -> list[str]:
    reason = missing_for_lua(busted=True)
    if reason is not None:
        pytest.skip(reason)
    busted = shutil.which("busted")
    assert busted is not None
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
