"""The journal's review page in a real browser (headless Chromium): it renders without console errors, fits a laptop
screen, and shows each subject's songs as blocks whose colours are the counts of the patterns."""

from __future__ import annotations

from pathlib import Path

from daw_bridge.journal.patterns import find_patterns
from daw_bridge.journal.review import review_html
from daw_bridge.journal.store import Journal
from tests.support.browser import visit


def test_review_page_reads_in_a_browser(tmp_path: Path) -> None:
    model = "Beyerdynamic DT 990 Pro"
    with Journal(tmp_path / "j.sqlite") as j:
        hp = j.headphone(model)
        for song in range(8):
            s = j.start_session(hp, j.reference(f"Song {song}", artist="Band"))
            j.add_observation(s, aspect="highs", band="highs", direction=1 if song != 5 else 0, strength=2)
            j.add_observation(s, aspect="bass", direction=(-1, 0, 1)[song % 3], strength=1, text="kick vs bass")
        j.add_blind_result(answer="REF 1", guess="REF 1", correct=True, candidates=3)
        notes, blind = j.notes(), j.blind_results()
    patterns = find_patterns(notes)
    page_file = tmp_path / "review.html"
    page_file.write_text(review_html(notes, patterns, blind=blind), encoding="utf-8")
    with visit(page_file) as seen:
        page = seen.page
        assert seen.problems == []
        assert page.title() == "Your headphones"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a laptop screen"
        text = page.inner_text("body")
        assert "mix the highs band so it sounds a little bright to you on these" in text
        assert f"{model} measures +" in text and "your notes agree" in text
        assert "Blind A/B: 1 of 1 rounds right" in text
        # each subject's bar: one block per song, coloured as counted (blue less, grey as expected, orange more)
        fills = "svgs => svgs.map(s => Array.from(s.querySelectorAll('rect')).map(r => r.getAttribute('fill')))"
        bars = page.eval_on_selector_all("table svg", fills)
        expected = [["#2b7bb9"] * p.less + ["#bbbbbb"] * p.same + ["#e67e22"] * p.more for p in patterns]
        assert bars == expected
        boxes = page.eval_on_selector_all("table svg", "svgs => svgs.map(s => s.getBoundingClientRect().width)")
        assert all(width > 100 for width in boxes)
