"""The Lua shortcuts switch our effects off by their sliders (lib/monitor.lua ``OFF``/``ON``), never by REAPER's bypass:
those sliders must be the Python side's, and must really give a pass-through (tests/lua/actions_spec.lua shows the
scripts set them and never call TrackFX_SetEnabled)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from daw_bridge import shipped
from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.params import NEUTRAL, slider_descriptions, slider_value
from daw_bridge.monitoring import MonitoringState, chain
from tests.support.lua import missing_for_lua

LIB = shipped.path("reaper/daw-bridge")
DUMP = """package.path = arg[1] .. "/?.lua;" .. package.path
local m = require("lib.monitor")
for _, which in ipairs({ "OFF", "ON" }) do
  for kind, list in pairs(m[which]) do
    for _, s in ipairs(list) do print(which .. "\\t" .. kind .. "\\t" .. s[1] .. "\\t" .. s[2] .. "\\t" .. s[3]) end
  end
end
"""


def lua_sliders() -> dict[tuple[str, str], dict[str, tuple[str, float]]]:
    reason = missing_for_lua()
    if reason is not None:
        pytest.skip(reason)
    out = subprocess.run(["lua5.4", "-", str(LIB)], input=DUMP, capture_output=True, text=True, check=True).stdout
    table: dict[tuple[str, str], dict[str, tuple[str, float]]] = {}
    for line in out.splitlines():
        which, kind, name, label, value = line.split("\t")
        table.setdefault((which, kind), {})[name] = (label, float(value))
    return table


def test_the_lua_off_sliders_are_the_python_ones_and_pass_audio_through() -> None:
    table = lua_sliders()
    assert {kind for which, kind in table if which == "OFF"} == {"crossfeed", "simulation", "bandsolo"}
    audio = np.random.default_rng(5).standard_normal((3000, 2)) * 0.3
    busy = MonitoringState(crossfeed="jmeier", band="sub", simulation="phone", centre_db=-2.0)
    for (which, kind), sliders in table.items():
        labels = slider_descriptions(kind, sliders)
        assert {n: lab for n, (lab, _) in sliders.items()} == labels, f"{which} {kind}: a label differs from params.py"
        on = next(fx for fx in chain(busy, 48000) if fx.kind == kind)
        # the Lua values written over a running state, as REAPER's sliders would hold them
        params = {**on.params, **{n: v for n, (_, v) in sliders.items()}}
        numbers = {n: slider_value(kind, n, v) for n, v in params.items()}
        out = make_processor(kind, numbers, 48000).process(audio)
        if which == "OFF":
            np.testing.assert_array_equal(out, audio, err_msg=f"{kind}: Lua's off is not a pass-through")
            neutral = {n: slider_value(kind, n, v) for n, v in NEUTRAL[kind].items()}
            assert {n: v for n, v in numbers.items() if n in neutral} == neutral
        else:
            assert np.max(np.abs(out - audio)) > 1e-3, f"{kind}: Lua's on changes nothing"
