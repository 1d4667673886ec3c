"""Switching any monitoring effect while full-scale audio plays never bursts, in the Python DSP and in the JSFX.

For every effect and every ordered pair of its states (all 7 bands and off; all shipped headphone presets and off;
crossfeed presets and off; simulations and off; "off" being the effect's pass-through parameters, as the live chain
and REAPER run it, never REAPER's bypass), the switch happens mid-stream on dense full-scale music-like
material and on full-scale noise at 44.1, 48 and 96 kHz. The output's peak after the switch must stay within
0.5 dB of the larger of the two steady-state peaks (each state run alone over the same audio).

The JSFX (run by tests/support/eel2.py) go through a tour of all states of each effect (every state is switched to
and from), shorter material, one material per rate; their output equals the Python switching to 1e-9 besides.
On the effects before crossfading, the band highs -> sub switch at 48 kHz reached +49 dBFS (issue 14).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from daw_bridge.bands import BAND_NAMES
from daw_bridge.dsp.bandsolo import band_params
from daw_bridge.dsp.chain import make_processor
from daw_bridge.dsp.crossfeed import PRESETS
from daw_bridge.dsp.params import resolve, slider_value
from daw_bridge.dsp.simulation import SYSTEMS, system_params
from daw_bridge.dsp.switching import SwitchedEffect, fade_frames, settle_frames
from daw_bridge.monitoring import MonitoringState, correction_params, live_effects
from daw_bridge.presets.catalog import all_presets
from tests.dsp.signals import dense_mix, full_scale_noise
from tests.support.eel2 import Jsfx

JSFX_DIR = Path(__file__).resolve().parents[2] / "daw_bridge" / "data" / "reaper" / "daw-bridge"
RATES = (44100, 48000, 96000)
KINDS = ("bandsolo", "correction", "crossfeed", "simulation")
MAX_OVER_DB = 0.5
Params = Mapping[str, float | str] | None


def _live(kind: str, state: MonitoringState, rate: int) -> Params:
    """The parameters the live chain gives effect ``kind`` in ``state`` (off: its neutral, pass-through ones)."""
    return dict(live_effects(state, rate))[kind]


@cache
def states(kind: str, rate: int) -> dict[str, Params]:
    """Every state of effect ``kind`` at ``rate``, as the live chain (and REAPER) runs it: "off" is the effect's
    pass-through parameters, reached by its own crossfade (never REAPER's bypass)."""
    off: Params = _live(kind, MonitoringState(), rate)  # the correction's off still carries the monitoring headroom
    if kind == "bandsolo":
        return {"off": off, **{b: band_params(b, sample_rate=rate) for b in BAND_NAMES}}
    if kind == "correction":
        out: dict[str, Params] = {"off": off}
        out.update((p.name, correction_params(MonitoringState(headphones=p.name), rate)) for p in all_presets())
        return out
    if kind == "crossfeed":
        return {"off": off, **{n: _live(kind, MonitoringState(crossfeed=n), rate) for n in PRESETS}}
    return {"off": off, **{n: system_params(n, sample_rate=rate) for n in SYSTEMS}}


@cache
def material(name: str, rate: int, seconds: float) -> np.ndarray:
    frames = int(seconds * rate)
    return dense_mix(frames, rate, seed=3) if name == "music" else full_scale_noise(frames, seed=4)


def steady(kind: str, params: Params, rate: int, audio: np.ndarray) -> np.ndarray:
    assert params is not None, f"{kind}: off must be a state of the effect, not REAPER's bypass"
    return make_processor(kind, params, rate).process(audio)


def over_db(out: np.ndarray, *refs: np.ndarray) -> float:
    """How far ``out``'s peak exceeds the larger of the ``refs``' peaks (dB)."""
    return float(20 * np.log10(np.max(np.abs(out)) / max(np.max(np.abs(r)) for r in refs)))


@pytest.mark.parametrize("material_name", ["music", "noise"])
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_switch_of_every_effect_stays_within_the_steady_peaks(kind: str, rate: int, material_name: str) -> None:
    audio = material(material_name, rate, 0.45)
    cut = int(0.3 * rate)  # settle + fade take 40 ms; the slowest new filter (sub band) rings out within 0.1 s
    all_states = states(kind, rate)
    alone = {name: steady(kind, p, rate, audio)[cut:] for name, p in all_states.items()}
    worst, where = -np.inf, ("", "")
    for a, pa in all_states.items():
        running = SwitchedEffect(kind, pa, rate)
        np.testing.assert_array_equal(running.process(audio[:cut]), steady(kind, pa, rate, audio[:cut]))
        for b, pb in all_states.items():
            if a == b:
                continue
            fx = copy.deepcopy(running)
            fx.set(pb)
            over = over_db(fx.process(audio[cut:]), alone[a], alone[b])
            if over > worst:
                worst, where = over, (a, b)
    assert worst <= MAX_OVER_DB, f"{kind} {where[0]} -> {where[1]} at {rate} Hz on {material_name}: +{worst:.2f} dB"


def sliders(kind: str, params: Params) -> dict[str, float]:
    """Every slider of ``kind`` for ``params``."""
    assert params is not None
    return {k: slider_value(kind, k, v) for k, v in resolve(kind, params).items()}


def jsfx_tour(kind: str, rate: int, names: list[str], audio: np.ndarray, dwell: int) -> np.ndarray:
    """Run the JSFX through ``names`` in turn, switching every ``dwell`` frames (the first state from @init)."""
    all_states = states(kind, rate)
    fx = Jsfx(JSFX_DIR / f"daw-bridge_{kind}.jsfx", rate, sliders(kind, all_states[names[0]]))
    out = [fx.process(audio[:dwell])]
    for i, name in enumerate(names[1:], start=1):
        fx.set_sliders(sliders(kind, all_states[name]))
        out.append(fx.process(audio[i * dwell : (i + 1) * dwell]))
    return np.concatenate(out)


def tour(kind: str, rate: int) -> list[str]:
    """Every state, then back to the first: each one is switched to and from at least once."""
    names = list(states(kind, rate))
    if kind == "bandsolo":  # the reported burst first: highs -> sub
        names = ["highs", "sub", *[n for n in names if n not in ("highs", "sub")]]
    return [*names, names[0]]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("kind", KINDS)
def test_switching_the_jsfx_through_every_state_stays_within_the_steady_peaks(kind: str, rate: int) -> None:
    names = tour(kind, rate)
    dwell = int(0.05 * rate)  # settle + fade + 10 ms: each switch starts while the last one still rings
    audio = material("music" if rate != 44100 else "noise", rate, 0.05 * len(names))[: dwell * len(names)]
    out = jsfx_tour(kind, rate, names, audio, dwell)
    alone = {n: steady(kind, states(kind, rate)[n], rate, audio) for n in set(names)}
    for i in range(1, len(names)):
        window = slice(i * dwell, (i + 1) * dwell)
        over = over_db(out[window], alone[names[i - 1]][window], alone[names[i]][window])
        assert over <= MAX_OVER_DB, f"JSFX {kind} {names[i - 1]} -> {names[i]} at {rate} Hz: +{over:.2f} dB"


@pytest.mark.parametrize("kind", KINDS)
def test_the_jsfx_switch_exactly_as_the_python_dsp(kind: str) -> None:
    """Same settle time, same fade, same weights: sample for sample, so `process --at` renders what REAPER plays."""
    rate = 48000
    names = [*tour(kind, rate)[:2], "off", tour(kind, rate)[1]]  # on <-> off among them
    dwell = settle_frames(rate) + fade_frames(rate) + 300
    audio = material("music", rate, 0.2)[: dwell * len(names)]
    ours = jsfx_tour(kind, rate, names, audio, dwell)
    python = SwitchedEffect(kind, states(kind, rate)[names[0]], rate)
    out = [python.process(audio[:dwell])]
    for i, name in enumerate(names[1:], start=1):
        python.set(states(kind, rate)[name])
        out.append(python.process(audio[i * dwell : (i + 1) * dwell]))
    np.testing.assert_allclose(ours, np.concatenate(out), rtol=0, atol=1e-9)


def test_a_change_settles_then_fades_and_changes_arriving_meanwhile_wait() -> None:
    rate = 48000
    settle, fade = settle_frames(rate), fade_frames(rate)
    ones = np.ones((4 * (settle + fade), 2))
    fx = SwitchedEffect("correction", {"gain_db": 0.0}, rate)
    fx.set({"gain_db": -20.0})
    out = fx.process(ones[: settle - 1])
    np.testing.assert_array_equal(out, 1.0)  # settling: the old setting plays on
    fx.set({"gain_db": -6.0})  # a change while settling restarts the wait and replaces the target
    out = np.concatenate([fx.process(b) for b in np.array_split(ones[: settle + fade], 7)])  # any block sizes
    np.testing.assert_array_equal(out[: settle - 1], 1.0)
    ramp = out[settle - 1 : settle - 1 + fade, 0]
    target = 10 ** (-6 / 20)
    np.testing.assert_allclose(ramp, 1.0 + (target - 1.0) * np.arange(1, fade + 1) / fade, atol=1e-12)
    fx.set({"gain_db": 0.0})
    fx.set({"gain_db": -6.0})  # set back to the running setting before the settle time ended: nothing moves
    np.testing.assert_allclose(fx.process(ones[: 2 * (settle + fade)]), target, atol=1e-12)
    assert not fx.busy


def test_the_whole_live_chain_never_passes_the_ceiling_while_switching_fast() -> None:
    """No headroom, full-scale music, a change every 25 ms (faster than settle + fade): never above -1 dBFS."""
    from scipy.signal import resample_poly

    from daw_bridge.dsp.switching import LiveChain
    from daw_bridge.monitoring import live_effects

    rate = 48000
    audio = material("music", rate, 1.0) * 1.0
    names = [p.name for p in all_presets()]
    plan = [MonitoringState(headphones=names[i % len(names)], band=[None, "sub", "highs", "bass"][i % 4],
                            crossfeed=[None, "jmeier"][i % 2], simulation=[None, "phone", "car"][i % 3],
                            headroom_db=0.0) for i in range(40)]  # fmt: skip
    live = LiveChain(live_effects(plan[0], rate), rate)
    step = int(0.025 * rate)
    out = []
    for i, state in enumerate(plan):
        live.apply(live_effects(state, rate))
        out.append(live.process(audio[i * step : (i + 1) * step]))
    heard = np.concatenate(out)
    assert np.max(np.abs(heard)) <= 10 ** (-1 / 20)
    up = np.abs(resample_poly(heard, 16, 1, axis=0, window=("kaiser", 12.0)))[16 * 200 : -16 * 200]
    assert 20 * np.log10(np.max(up)) <= -1.0
