"""After the DAW's sample rate changes the correction stays within 0.1 dB of its intended response without user
action (issue 14: it was off by 0.8 dB from 48 to 96 kHz): its sliders are rate-independent and the effect re-fits
them for the rate it runs at; the running controller's re-apply is harmless and no longer needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from daw_bridge.dsp.biquad import log_freqs, response_db
from daw_bridge.dsp.correction import filters_from_params, intended_response_db
from daw_bridge.dsp.params import PARAMS, resolve
from daw_bridge.dsp.rate_match import design_at
from daw_bridge.monitoring import MonitoringState, RateFollower, apply_monitoring, save_state
from daw_bridge.presets.catalog import find_preset
from daw_bridge.workflows.controller import Controller
from daw_bridge.workflows.embedded import EmbeddedSession

FREQS = log_freqs(points=1000)


def correction_error_db(params: dict[str, float], rate: int, model: str, *, refit: bool = True) -> float:
    """Largest deviation (20 Hz-20 kHz) of the correction sliders' response at ``rate`` from the preset's intent, as
    the effect runs them (``refit``: re-fitted from their design rate) or as plain RBJ filters at ``rate``."""
    names = {s.name: s for s in PARAMS["correction"]}
    values = {k: (names[k].choices[int(v)] if names[k].is_enum else v) for k, v in params.items() if k in names}
    p = resolve("correction", values)
    design_rate = float(p["design_hz"]) if refit else 0.0
    sos = design_at(filters_from_params(p), design_rate=design_rate, sample_rate=rate)
    eq = find_preset(model).eq
    intended = intended_response_db(eq.filters, FREQS, design_rate=eq.design_rate_hz)
    return float(np.max(np.abs(response_db(sos, FREQS, sample_rate=rate) - intended)))


def correction_sliders(session: EmbeddedSession) -> dict[str, float]:
    fx = next(f for f in session.emulator.project.monitor_fx if f.name.endswith("daw-bridge/correction"))
    return {k: float(v) for k, v in fx.params.items()}


def test_a_rate_change_is_followed_without_user_action(session: EmbeddedSession, tmp_path: Path) -> None:
    base = tmp_path / "state"
    model = "Sennheiser HD 650"
    state = MonitoringState(headphones=model)
    save_state(state, base)
    session.emulator.project.sample_rate = 48000
    apply_monitoring(session.daw, state, base=base)
    follower = RateFollower(session.daw, base=base)
    assert follower.check() is None  # nothing changed: nothing sent
    fitted_48k = correction_sliders(session)
    assert correction_error_db(fitted_48k, 48000, model) < 0.1

    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append)
    for rate in (96000, 44100, 48000):
        session.emulator.project.sample_rate = rate  # the device now runs at another rate
        controller.follow_rate(follower)
        assert said[-1].startswith("[rate]") and f"{rate} Hz" in said[-1]
        assert correction_error_db(correction_sliders(session), rate, model) < 0.1
    # the sliders applied at 48 kHz are right at 96 kHz with nobody re-applying; as plain RBJ they would be 0.3 dB off
    assert correction_error_db(fitted_48k, 96000, model) < 0.05
    assert correction_error_db(fitted_48k, 96000, model, refit=False) > 0.3


def test_the_bridge_reports_the_ceiling_meter(session: EmbeddedSession, tmp_path: Path) -> None:
    from daw_bridge.monitoring import ceiling_status

    state = MonitoringState(headphones="Sennheiser HD 650")
    apply_monitoring(session.daw, state, base=tmp_path / "state")
    monitor_fx = session.daw.bridge.get_state(["monitor_fx"])["monitor_fx"]
    ceiling = [fx for fx in monitor_fx if fx["name"] == "JS: daw-bridge/ceiling"]
    assert ceiling == [{"index": 6, "name": "JS: daw-bridge/ceiling", "enabled": True, "reduction_db": 0.0}]
    assert ceiling_status(state, monitor_fx).endswith("on, idle")


def test_the_emulator_previews_the_chain_with_its_ceiling(session: EmbeddedSession, tmp_path: Path) -> None:
    """Effects as the bridge added them carry every slider, the ceiling's meter too: the preview still renders."""
    import soundfile as sf

    apply_monitoring(session.daw, MonitoringState(headphones="Sennheiser HD 650", ceiling_db=-6.0),
                     base=tmp_path / "state")  # fmt: skip
    ceiling = next(f for f in session.emulator.project.monitor_fx if f.name == "JS: daw-bridge/ceiling")
    assert "reduction_db" in ceiling.params
    result = session.emulator.render_monitor_preview(tmp_path / "heard.wav", end_s=2.0)
    heard, _ = sf.read(result.files[0])
    assert 0.01 < np.max(np.abs(heard)) <= 10 ** (-6 / 20) + 1e-6
