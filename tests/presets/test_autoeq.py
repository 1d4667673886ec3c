"""AutoEq ParametricEQ.txt parsing: every reference file, every spelling, and errors naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.errors import PresetError
from daw_bridge.presets.autoeq import parse_file, parse_text
from tests.support.paths import AUTOEQ_DIR

AUTOEQ = AUTOEQ_DIR
FILES = sorted(AUTOEQ.glob("*ParametricEQ.txt"))


@pytest.mark.skipif(not FILES, reason="reference AutoEq files not on this machine")
def test_every_reference_file_parses_with_its_preamp_and_ten_filters() -> None:
    for path in FILES:
        eq = parse_file(path)
        first = path.read_text().splitlines()[0]
        assert first == f"Preamp: {eq.preamp_db:.1f} dB"
        assert len(eq.filters) == 10 and eq.filters[0].kind == "lowshelf" and eq.filters[5].kind == "highshelf"


def test_all_spellings_any_count_and_off_filters() -> None:
    text = "\n".join(
        ["# comment", "Preamp: -3 dB", "Filter: ON PK Fc 100 Hz Gain -2 dB Q 1.5", "Filter 2: ON LS Fc 80 Hz Gain 3 dB",
         "Filter 3: ON HS Fc 9000 Hz Gain -1.5 dB Q 0.7", "Filter 4: ON LP Fc 18000 Hz",
         "Filter 5: ON HPQ Fc 20 Hz Q 0.5",
         "Filter 6: OFF PK Fc 1000 Hz Gain 9 dB Q 1", "", "Filter 7: ON LSC Fc 105 Hz Gain 1 dB Q 0.7"]
        + [f"Filter {i}: ON PK Fc {100 * i} Hz Gain 0.5 dB Q 2" for i in range(8, 26)]
    )  # fmt: skip
    eq = parse_text(text)
    kinds = [f.kind for f in eq.filters]
    assert eq.preamp_db == -3.0 and len(eq.filters) == 24
    assert kinds[:6] == ["peak", "lowshelf", "highshelf", "lowpass", "highpass", "lowshelf"]
    assert eq.filters[3].q == pytest.approx(0.7071, abs=1e-4) and eq.filters[4].q == 0.5


@pytest.mark.parametrize("line,reason", [
    ("Filter 1: ON XX Fc 100 Hz Gain 1 dB Q 1", "unknown filter type 'XX'"),
    ("Filter 1: ON PK Fc 100 Hz Gain 1 dB", "lacks 'Q"),
    ("Filter 1: ON PK Gain 1 dB Q 1", "lacks 'Fc"),
    ("Filter 1: ON PK Fc 100000 Hz Gain 1 dB Q 1", "outside 1..22000 Hz"),
    ("Filter 1: ON PK Fc 100 Hz Gain 1 dB Q 1 banana", "cannot read 'banana'"),
    ("Preamp -6 dB", "expected 'Preamp"),
    ("Filter 1: ON PK Fc 100 Hz Gain 99 dB Q 1", "gain 99 dB"),
])  # fmt: skip
def test_malformed_lines_are_rejected_with_line_and_reason(line: str, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "Broken ParametricEQ.txt"
    path.write_text(f"Preamp: -1 dB\n\n{line}\n")
    with pytest.raises(PresetError) as info:
        parse_file(path)
    assert f"{path}:3:" in str(info.value) and reason in str(info.value)


def test_empty_and_unreadable_files() -> None:
    with pytest.raises(PresetError, match="no active filter"):
        parse_text("Preamp: -1 dB\n", source="x.txt")
    with pytest.raises(PresetError, match="cannot read"):
        parse_file(Path("/nonexistent/ParametricEQ.txt"))
