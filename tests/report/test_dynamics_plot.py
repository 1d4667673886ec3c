"""The dynamics plot: short-term loudness over the song's sections and PLR per section against the references."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from daw_bridge.analysis.compare import compare
from daw_bridge.analysis.engine import analyze_audio
from daw_bridge.report.html import render_report
from daw_bridge.report.plots import dynamics_png
from daw_bridge.workflows.advice import advise
from tests.support.signals import add_reverb, music_like

RATE = 48000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_dynamics_plot_renders_and_the_report_shows_it() -> None:
    track = add_reverb(music_like(20.0, RATE, seed=71), RATE, rt60_s=0.8, send_db=-14.0)
    mix = analyze_audio(np.clip(track * 4.0, -0.5, 0.5), RATE)
    ref = analyze_audio(track, RATE)
    assert mix.dynamics is not None and mix.structure
    assert dynamics_png(mix, [ref]).startswith(PNG_MAGIC)
    # a measurement from before dynamics existed (profile of an old version) still draws
    assert dynamics_png(dataclasses.replace(mix, dynamics=None, structure=()), []).startswith(PNG_MAGIC)
    result = compare(mix, [ref])
    page = render_report(bounce=Path("mix.wav"), mix=mix, references=[ref], deviation=result.to_dict()["deviation"],
                         findings=result.findings, advice=[advise(f) for f in result.findings])
    assert "<h2>Dynamics</h2>" in page and 'alt="Dynamics: short-term loudness (LUFS' in page
