"""The JSFX bodies, executed (tests/support/eel2.py), do what the Python DSP the emulator renders with does.

REAPER runs ``daw_bridge/data/reaper/daw-bridge/*.jsfx`` on the monitoring path; the emulator and
``daw-bridge process`` run ``daw_bridge.dsp.chain.make_processor``. Both are fed the same slider values and
the same noise, at three rates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.params import slider_value
from daw_bridge.monitoring import MonitoringState, chain
from daw_bridge.presets.catalog import all_presets
from tests.support.eel2 import EelError, Jsfx, parse, tokenize

JSFX_DIR = Path(__file__).resolve().parents[2] / "daw_bridge" / "data" / "reaper" / "daw-bridge"
NOISE = np.random.default_rng(7).standard_normal((2400, 2)) * 0.1
STATES = {
    "headphone + crossfeed": MonitoringState(headphones="Sennheiser HD 650", crossfeed="default", centre_db=-1.5),
    "phone simulation": MonitoringState(headphones="Sennheiser HD 650", simulation="phone", crossfeed="cmoy"),
    "car simulation": MonitoringState(headphones="AKG K702", simulation="car"),
    "bass solo": MonitoringState(headphones="Beyerdynamic DT 990 Pro", band="bass", crossfeed="jmeier"),
    "sub solo": MonitoringState(headphones="Sony MDR-7506", band="sub"),
    "highs solo": MonitoringState(band="highs", strength_pct=50.0),
}


def run_jsfx(kind: str, params: dict[str, float | str], rate: int, audio: np.ndarray) -> np.ndarray:
    fx = Jsfx(JSFX_DIR / f"daw-bridge_{kind}.jsfx", rate)
    fx.set_sliders({k: slider_value(kind, k, v) for k, v in params.items()})
    return fx.process(audio)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("state", list(STATES), ids=list(STATES))
def test_every_effect_of_the_monitoring_chain_matches_the_python_dsp(state: str, rate: int) -> None:
    effects = chain(STATES[state], rate)
    assert len(effects) == 5
    for fx in effects:  # disabled ones too: they run with their current (default) sliders
        if fx.kind == "speakers":  # convolution with generated response files: tests/speakers/test_jsfx.py
            continue
        ours = run_jsfx(fx.kind, dict(fx.params), rate, NOISE)
        python = make_processor(fx.kind, fx.params, rate).process(NOISE)
        assert np.max(np.abs(python)) > 1e-3, f"{fx.kind}: the reference output is silent"
        np.testing.assert_allclose(ours, python, rtol=0, atol=1e-12, err_msg=f"{state}: {fx.kind} at {rate} Hz")


@pytest.mark.parametrize("preset", [p.name for p in all_presets()])
def test_every_shipped_correction_preset_runs_the_same_in_the_jsfx(preset: str) -> None:
    fx = chain(MonitoringState(headphones=preset), 48000)[0]
    assert fx.kind == "correction"
    ours = run_jsfx("correction", dict(fx.params), 48000, NOISE[:800])
    python = make_processor("correction", fx.params, 48000).process(NOISE[:800])
    np.testing.assert_allclose(ours, python, rtol=0, atol=1e-12)


def test_a_wrong_coefficient_in_the_jsfx_is_caught(tmp_path: Path) -> None:
    """The comparison has teeth: one flipped sign in the shared biquad library shows up at once."""
    for path in JSFX_DIR.glob("daw-bridge_*.jsfx*"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    library = tmp_path / "daw-bridge_biquad.jsfx-inc"
    text = library.read_text(encoding="utf-8")
    assert "c[3] = -2 * cw / a0; c[4] = (1 - al / A) / a0;" in text
    library.write_text(text.replace("c[3] = -2 * cw / a0; c[4] = (1 - al / A) / a0;",
                                    "c[3] = 2 * cw / a0; c[4] = (1 - al / A) / a0;"), encoding="utf-8")
    fx = chain(MonitoringState(headphones="Sennheiser HD 650"), 48000)[0]
    mutant = Jsfx(tmp_path / "daw-bridge_correction.jsfx", 48000)
    mutant.set_sliders({k: slider_value("correction", k, v) for k, v in fx.params.items()})
    python = make_processor("correction", fx.params, 48000).process(NOISE[:800])
    assert np.max(np.abs(mutant.process(NOISE[:800]) - python)) > 1e-3


def test_reading_a_named_slider_by_number_is_refused(tmp_path: Path) -> None:
    """In REAPER a named slider's value lives in its name; ``slider1`` or ``slider(1)`` would read something else."""
    for body in ("gain = slider1;", "gain = slider(1);"):
        path = tmp_path / "named.jsfx"
        path.write_text(f"desc:test\nslider1:gain_db=0<-12,12,0.1>Gain (dB)\n\n@slider\n{body}\n\n@sample\n"
                        "spl0 *= gain;\n", encoding="utf-8")
        with pytest.raises(EelError, match="named"):
            Jsfx(path, 48000)
    unnamed = tmp_path / "unnamed.jsfx"
    unnamed.write_text("desc:test\nslider1:6<-12,12,0.1>Gain (dB)\n\n@slider\ng = 10 ^ (slider(1) / 20);\n\n"
                       "@sample\nspl0 *= g; spl1 *= g;\n", encoding="utf-8")
    out = Jsfx(unnamed, 48000).process(np.ones((2, 2)))
    np.testing.assert_allclose(out, 10 ** (6 / 20))


def run_code(code: str, **variables: float) -> dict[str, float]:
    path_text = "desc:t\n\n@init\n" + "".join(f"{k} = {v};\n" for k, v in variables.items()) + code + "\n"
    return _eval(path_text)


def _eval(text: str) -> dict[str, float]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsfx"
        path.write_text(text, encoding="utf-8")
        fx = Jsfx(path, 48000)
    return {k[2:]: v for k, v in fx.ns.items() if k.startswith("v_")}


def test_the_eel2_subset_follows_eel2_semantics() -> None:
    v = run_code("a = 2 ^ 3 ^ 2; b = -2 ^ 2; c = 1 + 2 * 3 - 4 / 8; d = 7 % 3; e = 1 == 1.000001; f = 1 != 1.5;"
                 "g = x > 1 ? 10 : 20; h = x < 1 ? 5; i = 0; loop(4, i += 2; ); j = 0 || x; k = 0 && undefined_y;",
                 x=3)
    assert v["a"] == 2.0 ** 9 and v["b"] == 4.0 and v["c"] == 6.5 and v["d"] == 1.0
    assert v["e"] == 1.0 and v["f"] == 1.0 and v["g"] == 10.0 and v["h"] == 0.0 and v["i"] == 8.0
    assert v["j"] == 1.0 and v["k"] == 0.0
    w = run_code("function sq(x) local(y) ( y = x * x; total += y; y; ); buf = 100; buf[3] = sq(4) + sq(2);"
                 "memset(200, 7, 3); s = buf[3] + 200[2] + 201[0];")
    assert w["total"] == 20.0 and w["s"] == 20.0 + 14.0 and "y" not in w  # locals stay local
    calls = run_code("function inc() ( n += 1; ); inc() + 1; inc() * 3; m = n;")
    assert calls["m"] == 2.0, "a call inside a statement's expression still runs"


@pytest.mark.parametrize("code", ["a = ;", "f(1, 2", "a = b c;", "x = 'str';"])
def test_code_outside_the_subset_is_a_clear_error(code: str) -> None:
    with pytest.raises(EelError):
        parse(code, {}) if "'" not in code else tokenize(code)
