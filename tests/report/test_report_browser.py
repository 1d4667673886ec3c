"""The bounce-and-check report in a real browser (headless Chromium): it renders without console errors, fits a
laptop screen, prints, is one self-contained file, every figure has a title with units, and the numbers a person
reads (findings, the change to make and its uncertainty, loudness as heard and rendered) are those of the JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from daw_bridge.monitoring import MonitoringState, apply_monitoring
from daw_bridge.workflows.bounce import CheckResult, bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.levels import match_levels
from tests.support.browser import visit
from tests.workflows.conftest import demo_folder, session  # noqa: F401  (fixtures)

STATE = MonitoringState(headphones="Sennheiser HD 650", crossfeed="default")
UNIT = re.compile(r"\((?:[^)]*\b)?(dB|LU|LUFS|s)\b")


@pytest.fixture()
def checked(session: EmbeddedSession) -> tuple[CheckResult, dict[str, Any]]:  # noqa: F811
    chain = [fx for fx in apply_monitoring(session.daw, STATE) if fx.enabled]
    match_levels(session.daw, session.config, monitor_chain=chain)
    result = bounce_and_check(session.daw, session.config, monitoring=STATE)
    data = json.loads(json.dumps(
        {**result.comparison.to_dict(), "advice": result.advice, "heard_lufs": result.heard_lufs},
        default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o),
    ))
    return result, data


def test_report_renders_cleanly_with_titled_figures_and_true_numbers(
    checked: tuple[CheckResult, dict[str, Any]],
) -> None:
    result, data = checked
    html_text = result.report.read_text(encoding="utf-8")
    assert "<script" not in html_text and "<link" not in html_text and "http" not in html_text  # self-contained
    with visit(result.report) as seen:
        page = seen.page
        assert seen.problems == []
        text = page.inner_text("body").replace("\u2212", "-")
        assert page.title().startswith("Bounce-and-check")
        figures = page.eval_on_selector_all(
            "figure", "els => els.map(e => [e.querySelector('img').alt, e.querySelector('img').naturalWidth,"
            " e.querySelector('img').src.slice(0, 22), e.querySelector('figcaption').innerText])")
        assert len(figures) >= 5
        for alt, width, src, caption in figures:  # every figure loaded, inline, titled with its units
            assert width > 0 and src == "data:image/png;base64," and alt == caption, (alt, width, src)
            assert UNIT.search(caption), f"figure without units: {caption!r}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a laptop screen"
        page.emulate_media(media="print")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.pdf()[:4] == b"%PDF"
        order = page.evaluate("[...document.querySelectorAll('h2')].map(h => h.innerText)")
    assert order[0] == "What to change", order  # findings first
    assert "Headphone correction: Sennheiser HD 650 at 100 %" in text and "Crossfeed: default" in text

    assert data["findings"], "the demo's chorus deviates: the report must show findings"
    assert len(data["advice"]) == len(data["findings"])
    for finding, advice in zip(data["findings"], data["advice"], strict=True):
        assert f"{abs(finding['value']):.1f} dB" in text, finding["message"]
        assert f"{finding['start_s']:.1f}-{finding['end_s']:.1f} s" in text
        assert advice["amount_db"] == pytest.approx(-finding["value"])
        assert advice["action"] in text
        assert f"About {advice['amount_db']:+.1f} dB" in advice["action"]
        assert f"±{advice['uncertainty_db']:.1f} dB" in advice["action"]
        if finding["area"] == "reverb":  # a lower bound: the estimate reads send changes at about half size
            assert advice["high_db"] == pytest.approx(2 * advice["amount_db"])
            assert f"up to {advice['high_db']:+.1f} dB" in advice["action"]
    deviation = data["deviation"]
    for key, unit in (("loudness_lu", "LU"), ("highs_db", "dB"), ("width_db", "dB")):
        value = deviation[key]
        if value is not None:
            assert f"{round(value, 1) + 0.0:+.1f} {unit}" in text, (key, value)

    heard = data["heard_lufs"]  # as heard through the chain: matched, and said so with the renders beside
    names = [data["mix"]["name"], *(r["name"] for r in data["references"])]
    assert set(heard) == set(names)
    spread = max(abs(heard[n] - heard[names[0]]) for n in names[1:])
    assert spread < 0.1, "level matching matched as heard"
    for name in names:
        assert f"{heard[name]:.1f} LUFS" in text
    mix_render = round(data["mix"]["loudness"]["integrated_lufs"], 1)
    for measured in (data["mix"], *data["references"]):
        assert f"{measured['loudness']['integrated_lufs']:.1f} LUFS" in text
        shown = round(measured["loudness"]["integrated_lufs"], 1)  # the table adds up as printed
        assert f"{round(shown - mix_render, 1) + 0.0:+.1f} LU" in text
    assert "As heard through the monitoring chain at bounce time, the references sit +0.0 LU from the mix" in text
