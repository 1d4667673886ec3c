"""The bounce-and-check report in a real browser (headless Chromium): it renders without console errors, fits a
laptop screen, every figure has a title, and the numbers a person reads are the numbers of the JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from daw_bridge.workflows.bounce import bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession
from daw_bridge.workflows.levels import match_levels
from tests.support.browser import visit
from tests.workflows.conftest import demo_folder, session  # noqa: F401  (fixtures)


@pytest.fixture()
def checked(session: EmbeddedSession) -> tuple[Path, dict[str, Any]]:  # noqa: F811
    match_levels(session.daw, session.config)
    result = bounce_and_check(session.daw, session.config)
    data = json.loads(json.dumps(result.comparison.to_dict(), default=str))
    return result.report, data


def test_report_renders_cleanly_with_titled_figures_and_true_numbers(checked: tuple[Path, dict[str, Any]]) -> None:
    report, data = checked
    with visit(report) as seen:
        page = seen.page
        assert seen.problems == []
        text = page.inner_text("body")
        assert page.title().startswith("Bounce-and-check")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
        assert len(images) >= 4
        assert all(alt.strip() and width > 0 for alt, width in images), images  # every figure titled and loaded
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a laptop screen"
    assert data["findings"], "the demo's chorus deviates: the report must show findings"
    for finding in data["findings"]:
        amount = f"{abs(finding['value']):.1f} dB"
        assert amount in text, f"finding {finding['message']!r}: {amount} not on the page"
        assert f"{finding['start_s']:.1f}-{finding['end_s']:.1f} s" in text
    deviation = data["deviation"]
    for key, unit in (("loudness_lu", "LU"), ("highs_db", "dB"), ("width_db", "dB")):
        value = deviation[key]
        if value is not None:
            assert f"{value:+.1f} {unit}" in text.replace("\u2212", "-"), (key, value)
