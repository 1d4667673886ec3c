"""The JSFX bodies, executed (tests/support/eel2.py), do what the Python DSP the emulator renders with does.

REAPER runs ``daw_bridge/data/reaper/daw-bridge/*.jsfx`` on the monitoring path; the emulator and
``daw-bridge process`` run ``daw_bridge.dsp.chain.make_processor``. Both are fed the same slider values and
the same noise, at three rates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from daw_bridge.dsp.biquad import log_freqs, response_db
from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.correction import filters_from_params, intended_response_db
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
    fx = Jsfx(JSFX_DIR / f"daw-bridge_{kind}.jsfx", rate, {k: slider_value(kind, k, v) for k, v in params.items()})
    return fx.process(audio)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("state", list(STATES), ids=list(STATES))
def test_every_effect_of_the_monitoring_chain_matches_the_python_dsp(state: str, rate: int) -> None:
    effects = chain(STATES[state], rate)
    assert [fx.kind for fx in effects] == ["correction", "crossfeed", "simulation", "bandsolo", "speakers", "ceiling"]
    for fx in effects:  # disabled ones too: they run with their current (default) sliders
        if fx.kind == "speakers":  # convolution with generated response files: tests/speakers/test_jsfx.py
            continue
        audio = NOISE if fx.kind != "ceiling" else NOISE[:300]  # the slowest to interpret; see the test below
        ours = run_jsfx(fx.kind, dict(fx.params), rate, audio)
        python = make_processor(fx.kind, fx.params, rate).process(audio)
        assert np.max(np.abs(python)) > 1e-3, f"{fx.kind}: the reference output is silent"
        np.testing.assert_allclose(ours, python, rtol=0, atol=1e-12, err_msg=f"{state}: {fx.kind} at {rate} Hz")


@pytest.mark.parametrize("rate", [44100, 96000])
def test_the_ceiling_jsfx_limits_exactly_as_the_python_dsp(rate: int) -> None:
    """Heavy limiting (noise 12 dB over full scale, then a sine near Nyquist, then quiet): same output, same delay."""
    n = 1200
    t = np.arange(n) / rate
    loud = np.random.default_rng(3).standard_normal((n, 2)) * 4.0
    sine = np.stack([np.sin(2 * np.pi * 19000 * t + 0.3)] * 2, axis=1) * 4.0
    audio = np.concatenate([loud, sine, NOISE[:n] * 0.5])
    params: dict[str, float | str] = {"ceiling_db": -3.0}
    ours = run_jsfx("ceiling", params, rate, audio)
    python = make_processor("ceiling", params, rate).process(audio)
    assert np.max(np.abs(python)) <= 10 ** (-3 / 20) + 1e-12 and np.max(np.abs(python)) > 0.5
    np.testing.assert_allclose(ours, python, rtol=0, atol=1e-9)


@pytest.mark.parametrize("preset", [p.name for p in all_presets()])
def test_every_shipped_correction_preset_runs_the_same_in_the_jsfx(preset: str) -> None:
    fx = chain(MonitoringState(headphones=preset), 48000)[0]
    assert fx.kind == "correction"
    ours = run_jsfx("correction", dict(fx.params), 48000, NOISE[:800])
    python = make_processor("correction", fx.params, 48000).process(NOISE[:800])
    np.testing.assert_allclose(ours, python, rtol=0, atol=1e-12)


def bank_response_db(fx: Jsfx, freqs_hz: np.ndarray, rate: int) -> np.ndarray:
    """The dB response of the filter sections the effect runs now, read from its memory (the bank layout of
    daw-bridge_biquad.jsfx-inc: [0] sections, [8 ...] b0 b1 b2 a1 a2 per section)."""
    mem = fx.ns["M"]
    bank = int(fx.ns["v_BANK1"] if fx.ns["v_xf_cur"] else fx.ns["v_BANK0"])
    rows = [mem[bank + 8 + 5 * i : bank + 13 + 5 * i] for i in range(int(mem[bank]))]
    sos = np.array([[b0, b1, b2, 1.0, a1, a2] for b0, b1, b2, a1, a2 in rows])
    return response_db(sos, freqs_hz, sample_rate=rate)


@pytest.mark.parametrize("preset", [p.name for p in all_presets()])
def test_a_device_rate_change_keeps_the_correction_within_0_1_db_with_no_bridge(preset: str) -> None:
    """Applied while the device ran at 44.1 kHz, then the device goes 48 -> 96 -> 44.1 kHz (the issue's sequence):
    REAPER re-runs @init at each rate and the effect re-fits its bands itself; nobody re-applies anything."""
    fx = chain(MonitoringState(headphones=preset), 44100)[0]
    jsfx = Jsfx(JSFX_DIR / "daw-bridge_correction.jsfx", 44100,
                {k: slider_value("correction", k, v) for k, v in fx.params.items()})
    freqs = log_freqs(points=2000)
    intended = intended_response_db(filters_from_params(fx.params), freqs, design_rate=44100)
    for rate in (48000, 96000, 44100):
        jsfx.set_srate(rate)
        error_db = np.max(np.abs(bank_response_db(jsfx, freqs, rate) - intended))
        assert error_db < (0.05 if rate != 44100 else 1e-9), f"{preset} at {rate} Hz: {error_db:.3f} dB off"


def test_after_a_rate_change_the_jsfx_still_plays_what_the_python_dsp_does() -> None:
    fx = chain(MonitoringState(headphones="Sennheiser HD 650", strength_pct=80.0, bass_trim_db=2.0), 44100)[0]
    jsfx = Jsfx(JSFX_DIR / "daw-bridge_correction.jsfx", 44100,
                {k: slider_value("correction", k, v) for k, v in fx.params.items()})
    jsfx.set_srate(96000)
    ours = jsfx.process(NOISE[:800])
    python = make_processor("correction", fx.params, 96000).process(NOISE[:800])
    np.testing.assert_allclose(ours, python, rtol=0, atol=1e-12)


def test_a_change_that_leaves_the_bands_alone_reuses_the_fit_and_a_band_change_refits() -> None:
    """The re-fit costs ~35,000 operations per section in @slider: it runs only when a band or a rate changed."""
    params = dict(chain(MonitoringState(headphones="Sennheiser HD 650"), 44100)[0].params)
    sliders = {k: slider_value("correction", k, v) for k, v in params.items()}
    jsfx = Jsfx(JSFX_DIR / "daw-bridge_correction.jsfx", 48000, sliders)
    calls = {"n": 0}
    fit = jsfx.ns["f_rm_fit"]

    def counted(*args: float) -> float:
        calls["n"] += 1
        return float(fit(*args))

    jsfx.ns["f_rm_fit"] = counted
    for changed in ({"gain_db": -3.0}, {"band2_gain": float(params["band2_gain"]) + 0.5}):
        calls["n"] = 0
        jsfx.set_sliders(changed)
        sliders |= changed
        fresh = Jsfx(JSFX_DIR / "daw-bridge_correction.jsfx", 48000, sliders)
        pend = int(jsfx.ns["v_PEND"])
        n = int(jsfx.ns["M"][pend])
        assert jsfx.ns["M"][pend : pend + 8 + 5 * n] == fresh.ns["M"][pend : pend + 8 + 5 * n]
        assert calls["n"] == (0 if "gain_db" in changed else n), changed


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
    mutant = Jsfx(tmp_path / "daw-bridge_correction.jsfx", 48000,
                  {k: slider_value("correction", k, v) for k, v in fx.params.items()})
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
    last = run_code("function inc() ( n += 1; ); inc();")
    assert last["n"] == 1.0, "a section's last statement runs even when it is a call"
    mem = run_code("10[0] = 1; 10[1] = 2; 10[2] = 3; memcpy(11, 10, 3); a = 11[0] + 12[0] * 10 + 13[0] * 100;"
                   "sliderchange(2); b = 1;")
    assert mem["a"] == 1 + 20 + 300 and mem["b"] == 1.0  # an overlapping copy reads the source as it was


@pytest.mark.parametrize("code", ["a = ;", "f(1, 2", "a = b c;", "x = 'str';"])
def test_code_outside_the_subset_is_a_clear_error(code: str) -> None:
    with pytest.raises(EelError):
        parse(code, {}) if "'" not in code else tokenize(code)
