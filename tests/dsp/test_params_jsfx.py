"""The JSFX files declare exactly the sliders of daw_bridge/dsp/params.py, and the DSP accepts slider values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from daw_bridge.dsp.params import KINDS, PARAMS, jsfx_name, resolve, slider_value
from daw_bridge.errors import InvalidParameter

JSFX_DIR = Path(__file__).resolve().parents[2] / "daw_bridge" / "data" / "reaper" / "daw-bridge"
_SLIDER = re.compile(r"^slider(\d+):(\w+)=([-\d.e]+)<([-\d.e]+),([-\d.e]+),([-\d.e]+)(?:\{([^}]*)\})?>(.*)$")


def parse_sliders(path: Path) -> list[tuple[int, str, float, float, float, tuple[str, ...], str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("slider"):
            m = _SLIDER.match(line)
            assert m, f"{path.name}: unparsable slider line {line!r}"
            unit = re.search(r"\(([^)]*)\)\s*$", m.group(8))
            choices = tuple(m.group(7).split(",")) if m.group(7) else ()
            out.append((int(m.group(1)), m.group(2), float(m.group(3)), float(m.group(4)), float(m.group(5)),
                        choices, unit.group(1) if unit else ""))  # fmt: skip
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_jsfx_sliders_match_the_parameter_map(kind: str) -> None:
    path = JSFX_DIR / f"daw-bridge_{kind}.jsfx"
    text = path.read_text(encoding="utf-8")
    assert f"desc:{jsfx_name(kind).removeprefix('JS: ')}" in text.splitlines()[0]
    declared = parse_sliders(path)
    assert [d[0] for d in declared] == list(range(1, len(PARAMS[kind]) + 1))
    for (_, name, default, lo, hi, choices, unit), s in zip(declared, PARAMS[kind], strict=True):
        assert (name, default, lo, hi, choices, unit) == (s.name, s.default, s.minimum, s.maximum, s.choices, s.unit)
    # what REAPER reports as each parameter's name (TrackFX_GetParamName) is the description after '>'
    descriptions = [line.split(">", 1)[1] for line in text.splitlines() if line.startswith("slider")]
    assert descriptions == [s.description for s in PARAMS[kind]]


def test_correction_has_room_for_any_autoeq_file() -> None:
    names = [s.name for s in PARAMS["correction"]]
    assert "preamp_db" in names and "band20_q" in names


def test_resolve_fills_defaults_and_rejects_bad_values() -> None:
    p = resolve("crossfeed", {"feed_db": 6.0})
    assert p["feed_db"] == 6.0 and p["cut_hz"] == 700.0
    assert resolve("correction", {"band1_type": 2.0})["band1_type"] == "lowshelf"
    assert slider_value("correction", "band1_type", "highpass") == 5.0
    with pytest.raises(InvalidParameter, match="cut_hz"):
        resolve("crossfeed", {"cut_hz": 50.0})
    with pytest.raises(InvalidParameter, match="bogus"):
        resolve("bandsolo", {"bogus": 1.0})
    with pytest.raises(InvalidParameter, match="notch"):
        resolve("correction", {"band1_type": "notch"})
    with pytest.raises(InvalidParameter, match="kind"):
        resolve("reverb", {})
