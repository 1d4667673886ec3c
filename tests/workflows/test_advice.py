"""The change suggested for each finding: its amount comes from the finding's value, with the measured
uncertainty, and the reverb amount is a lower bound (the estimate reads send changes at about half size on real
recordings, docs/accuracy.md)."""

from __future__ import annotations

import pytest

from daw_bridge.analysis.compare import Finding, message
from daw_bridge.workflows.advice import REVERB_READ_FRACTION, UNCERTAINTY_DB, advise


def finding(area: str, value: float, start_s: float = 10.0, end_s: float = 20.0) -> Finding:
    return Finding(area, start_s, end_s, value, message(area, value))


@pytest.mark.parametrize("area", ["reverb", "width", "highs", "level"])
@pytest.mark.parametrize("value", [-4.2, 3.1])
def test_the_amount_closes_the_finding_with_the_measured_uncertainty(area: str, value: float) -> None:
    tip = advise(finding(area, value))
    assert tip.amount_db == pytest.approx(-value)
    assert tip.uncertainty_db == UNCERTAINTY_DB[area]
    unit = "LU" if area == "level" else "dB"
    assert f"About {-value:+.1f} dB" in tip.action and f"±{UNCERTAINTY_DB[area]:.1f} {unit}" in tip.action
    if area != "level":
        assert "in 10.0-20.0 s" in tip.action
    if area == "reverb":
        assert tip.low_db == pytest.approx(min(-value, -value / REVERB_READ_FRACTION))
        assert tip.high_db == pytest.approx(max(-value, -value / REVERB_READ_FRACTION))
        assert f"up to {-value / REVERB_READ_FRACTION:+.1f} dB" in tip.action
        assert ("more send" if value < 0 else "less send") in tip.action
    else:
        assert tip.low_db == tip.high_db == pytest.approx(-value)


def test_narrower_with_a_drier_stretch_says_to_fix_the_reverb_first() -> None:
    width = finding("width", -5.0)
    alone = advise(width)
    assert "fix the reverb first" not in alone.action
    assert "fix the reverb first" in advise(width, [finding("reverb", -6.0, 12.0, 16.0), width]).action
    assert "fix the reverb first" not in advise(width, [finding("reverb", -6.0, 30.0, 40.0)]).action
    assert "fix the reverb first" not in advise(width, [finding("reverb", +6.0)]).action
