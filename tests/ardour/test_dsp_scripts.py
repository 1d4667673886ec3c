"""Our Ardour Lua DSP scripts declare exactly the JSFX sliders of daw_bridge/dsp/params.py (no Ardour needed:
lua5.4 loads each script with a stand-in ``ardour`` header function and prints what ``dsp_params`` returns)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from daw_bridge.ardour.dsp_scripts import ARDOUR_KINDS, file_name, install, plugin_name
from daw_bridge.dsp.params import sliders

PRINT_PARAMS = """
local header
function ardour(t) header = t end
dofile(arg[1])
print(header.name .. "|" .. header["type"])
for _, p in ipairs(dsp_params()) do
  local n = 0
  for _ in pairs(p.scalepoints or {}) do n = n + 1 end
  print(string.format("%s|%.4f|%.4f|%.4f|%d", p.name, p.min, p.max, p.default, n))
end
"""


@pytest.mark.skipif(shutil.which("lua5.4") is None, reason="lua5.4 not installed")
@pytest.mark.parametrize("kind", ARDOUR_KINDS)
def test_script_declares_the_sliders_of_params_py(kind: str, tmp_path: Path) -> None:
    (script,) = [p for p in install(tmp_path) if p.name == file_name(kind)]
    runner = tmp_path / "print_params.lua"
    runner.write_text(PRINT_PARAMS, encoding="utf-8")
    out = subprocess.run(["lua5.4", str(runner), str(script)], capture_output=True, text=True, check=True,
                         timeout=30).stdout.splitlines()
    assert out[0] == f"{plugin_name(kind)}|dsp"
    want = [f"{s.description}|{s.minimum:.4f}|{s.maximum:.4f}|{s.default:.4f}|{len(s.choices)}"
            for s in sliders(kind)]
    assert out[1:] == want
