"""The Before/Now tables in a real browser (headless Chromium): ``compare --report`` on two bounces that differ
only in one chorus's reverb send shows one table per section with the figures of ``--json``, and marks only that
chorus's reverb (and the width it widens) as changed; ``check --against-previous`` puts the same tables in the
bounce's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.workflows.bounce import bounce_and_check
from daw_bridge.workflows.embedded import EmbeddedSession
from tests.analysis.test_before_now import bounces  # noqa: F401  (fixture)
from tests.support.browser import visit
from tests.workflows.conftest import demo_folder, session  # noqa: F401  (fixtures)

FIELDS = {"level": "loudness_lufs", "reverb": "reverb_db", "width": "width_db", "highs": "highs_db",
          "dynamics": "plr_db"}


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{round(value, 1) + 0.0:.1f} {unit}"


def test_the_report_shows_before_and_now_per_section_and_marks_the_changed_chorus(
    bounces: tuple[Path, Path, tuple[float, float]], tmp_path: Path,  # noqa: F811
) -> None:
    before, now, (c0, c1) = bounces
    page_path = tmp_path / "before-now.html"
    runner = CliRunner()
    out = runner.invoke(cli, ["compare", str(before), str(now), "--json", "--report", str(page_path),
                              "--cache-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    again = runner.invoke(cli, ["compare", str(before), str(now), "--report", str(page_path), "--cache-dir",
                                str(tmp_path)])
    assert again.exit_code == 1 and "never overwritten" in again.output
    with visit(page_path) as seen:
        assert seen.problems == []
        tables = seen.page.eval_on_selector_all(
            "table.before-now",
            "ts => ts.map(t => ({section: t.dataset.section, rows: [...t.querySelectorAll('tr[data-area]')].map("
            "r => ({area: r.dataset.area, changed: r.classList.contains('changed'),"
            " cells: [...r.querySelectorAll('td')].map(c => c.innerText)}))}))")
        overflow = seen.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert [t["section"] for t in tables] == [s["name"] for s in data["before"]["sections"]]
    changed = {(c["area"], round(c["start_s"], 3)) for c in data["changes"]}
    assert any(a == "reverb" for a, _ in changed)
    for table, b, n in zip(tables, data["before"]["sections"], data["now"]["sections"], strict=True):
        assert [r["area"] for r in table["rows"]] == ["level", "reverb", "width", "highs", "dynamics"]
        for row in table["rows"]:
            field = FIELDS[row["area"]]
            unit = "LUFS" if row["area"] == "level" else "dB"
            _, shown_before, shown_now, shown_change, mark = row["cells"]
            assert shown_before == _shown(b[field], unit).lstrip("+"), (table["section"], row)
            assert shown_now == _shown(n[field], unit).lstrip("+"), (table["section"], row)
            if b[field] is not None and n[field] is not None:
                assert float(shown_change.split()[0]) == pytest.approx(n[field] - b[field], abs=0.051)
            counts = (row["area"], round(b["start_s"], 3)) in changed
            assert row["changed"] == counts and (mark == "changed") == counts, (table["section"], row)
        in_chorus = min(b["end_s"], c1) - max(b["start_s"], c0) > 0.8 * (b["end_s"] - b["start_s"])
        reverb = next(r for r in table["rows"] if r["area"] == "reverb")
        assert reverb["changed"] == in_chorus, (table["section"], reverb)


def test_check_against_previous_puts_the_tables_in_the_bounce_report(session: EmbeddedSession) -> None:  # noqa: F811
    first = bounce_and_check(session.daw, session.config, against_previous=True)
    assert "Before/Now" not in first.report.read_text(encoding="utf-8")
    second = bounce_and_check(session.daw, session.config, against_previous=True)
    assert second.before_now is not None
    with visit(second.report) as seen:
        assert seen.problems == []
        headings = seen.page.evaluate("[...document.querySelectorAll('h2')].map(h => h.innerText)")
        sections = seen.page.eval_on_selector_all("table.before-now", "ts => ts.map(t => t.dataset.section)")
        changed = seen.page.eval_on_selector_all("table.before-now tr.changed", "rs => rs.length")
        text = seen.page.inner_text("body")
    assert headings[:2] == ["What to change", "Before/Now"]
    assert sections == [s.name for s in second.before_now.before.sections]
    assert changed == 0 and "Nothing changed beyond the thresholds." in text
