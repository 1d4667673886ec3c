"""The A/B state the Python controller stores is the one REAPER's A/B toggle script reads: level matching on the
emulator, then the real lib/ab.lua (under lua5.4, against the stand-in reaper table) switches level-matched."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from daw_bridge.workflows.ab import ABLoop
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.levels import match_levels
from tests.support.lua import missing_for_lua
from tests.workflows.conftest import demo_folder, session  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
local root = arg[1]
package.path = root .. "/daw_bridge/data/reaper/daw-bridge/?.lua;" .. root .. "/tests/lua/?.lua;" .. package.path
local json = require("lib.json")
local mock = require("mock_reaper").new()
mock.add_track("MIX"); mock.add_track("REF 1", { mute = 1 }); mock.add_track("REF 2", { mute = 1 })
mock.proj_ext.daw_bridge = { ab_state = io.read("a") }
local ab = require("lib.ab")
local out = {}
for _, step in ipairs({ "toggle", "next_reference", "toggle" }) do
  local target = assert(ab[step](mock.api))
  local snap = { target = target, tracks = {} }
  for _, t in ipairs(mock.tracks) do snap.tracks[t.name] = { mute = t.mute, vol = t.vol } end
  out[#out + 1] = snap
end
io.write(json.encode(out))
"""


def test_lua_toggle_uses_the_gains_python_stored(session: EmbeddedSession, tmp_path: Path) -> None:  # noqa: F811
    reason = missing_for_lua()
    if reason is not None:
        pytest.skip(reason)
    match = match_levels(session.daw, session.config)
    ab = ABLoop(session.daw, session.config)
    ab.select("mix")
    stored = session.daw.get_project_state("ab_state")
    assert stored is not None
    script = tmp_path / "ab_steps.lua"
    script.write_text(SCRIPT)
    proc = subprocess.run(
        ["lua5.4", str(script), str(ROOT)], input=stored, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    steps = json.loads(proc.stdout)
    gains = {r.name: r.volume_after_db for r in match.references}
    first, second, third = steps
    assert first["target"] == "REF 1"
    assert first["tracks"]["MIX"]["mute"] == 1 and first["tracks"]["REF 1"]["mute"] == 0
    assert 20 * math.log10(first["tracks"]["REF 1"]["vol"]) == pytest.approx(gains["REF 1"], abs=0.01)
    assert second["target"] == "REF 2" and second["tracks"]["REF 2"]["mute"] == 0
    assert 20 * math.log10(second["tracks"]["REF 2"]["vol"]) == pytest.approx(gains["REF 2"], abs=0.01)
    assert third["target"] == "mix" and third["tracks"]["MIX"]["mute"] == 0
    assert third["tracks"]["REF 1"]["mute"] == 1 and third["tracks"]["REF 2"]["mute"] == 1
