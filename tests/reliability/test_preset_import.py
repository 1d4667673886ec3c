"""Preset import refuses what the correction would refuse at use time, and never shadows a preset silently
(issue 17: ten +20 dB filters imported fine and then needed a -144 dB preamp; +30 dB shelves became 30.0084 dB
after rate adaptation and were refused; 21 filters; a second "Sennheiser HD 650" row)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.errors import PresetError
from daw_bridge.presets.catalog import DATA_DIR_ENV, all_presets, find_preset, import_autoeq


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    return tmp_path / "data"


def autoeq(path: Path, preamp_db: float, filters: list[str]) -> Path:
    lines = [f"Preamp: {preamp_db} dB"] + [f"Filter {i}: ON {f}" for i, f in enumerate(filters, start=1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def user_presets() -> list[str]:
    return [p.name for p in all_presets() if p.user]


@pytest.mark.parametrize(
    ("filters", "reason"),
    [
        ([f"PK Fc {1000 + 100 * i} Hz Gain 20.0 dB Q 1" for i in range(10)],
         r"boost up to \+1\d\d\.\d dB together, which needs a preamp of -1\d\d\.\d dB; the correction's preamp "
         r"goes down to -40 dB"),
        ([f"PK Fc {200 + 300 * i} Hz Gain -1.0 dB Q 2" for i in range(21)],
         r"21 filters; the correction effect has 20 bands \(at most 20 filters\)"),
        (["PK Fc 1000 Hz Gain -3.0 dB Q 0.03"],
         r"filter 1 \(peak 1000 Hz, -3 dB, Q 0\.03\) needs q 0\.03 Q at \d+ Hz; the correction's limit is 0\.05\.\.20"),
    ],
    ids=["ten-plus-20-dB-peaks", "21-filters", "q-below-the-slider"],
)
def test_import_refuses_what_the_correction_cannot_run(tmp_path: Path, filters: list[str], reason: str) -> None:
    src = autoeq(tmp_path / "Absurd ParametricEQ.txt", -6.0, filters)
    with pytest.raises(PresetError, match=reason):
        import_autoeq(src)
    assert user_presets() == []  # nothing saved


def test_shelves_at_the_slider_limit_import_as_the_sliders_carry_the_design_values(tmp_path: Path) -> None:
    """+30 dB shelves were refused when the sliders held a fit per rate (30.0x dB at 48 kHz); now the sliders hold
    the filters as designed at every rate and the effect re-fits them itself."""
    src = autoeq(tmp_path / "Edge ParametricEQ.txt", -6.0,
                 ["LSC Fc 105 Hz Gain 30.0 dB Q 0.7", "HSC Fc 10000 Hz Gain 30.0 dB Q 0.7"])
    assert import_autoeq(src).name == "Edge" and user_presets() == ["Edge"]


def test_a_usable_preset_still_imports_and_its_chain_builds(tmp_path: Path) -> None:
    from daw_bridge.dsp.correction import build

    src = autoeq(tmp_path / "Fine ParametricEQ.txt", -6.2,
                 ["LSC Fc 105 Hz Gain 5.5 dB Q 0.7", "PK Fc 3000 Hz Gain -2.5 dB Q 2",
                  "HSC Fc 10000 Hz Gain 2 dB Q 0.7"])
    preset = import_autoeq(src)
    corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=48000)
    assert corr.preamp_db <= -6.2 and user_presets() == ["Fine"]


def test_importing_under_a_shipped_name_asks_for_force_or_a_new_name(tmp_path: Path) -> None:
    src = autoeq(tmp_path / "Sennheiser HD 650 ParametricEQ.txt", -3.0, ["PK Fc 3000 Hz Gain 2.5 dB Q 2"])
    with pytest.raises(PresetError, match="already a shipped preset .*--name .*--force"):
        import_autoeq(src)
    with pytest.raises(PresetError, match="shipped preset"):
        import_autoeq(src, name="sennheiser  hd 650")  # case and spacing do not get around it
    assert user_presets() == []
    assert import_autoeq(src, name="HD 650 (my measurement)").name == "HD 650 (my measurement)"
    forced = import_autoeq(src, force=True)
    assert find_preset("Sennheiser HD 650").path == forced.path  # the user asked for it


def test_importing_over_an_imported_preset_asks_too(tmp_path: Path) -> None:
    src = autoeq(tmp_path / "Mine ParametricEQ.txt", -3.0, ["PK Fc 3000 Hz Gain 2.5 dB Q 2"])
    first = import_autoeq(src)
    assert first.path is not None
    saved = first.path.read_bytes()
    autoeq(src, -1.0, ["PK Fc 2000 Hz Gain 1.0 dB Q 2"])
    with pytest.raises(PresetError, match="already an imported preset"):
        import_autoeq(src)
    assert first.path.read_bytes() == saved


def test_cli_import_refuses_with_the_reason_and_takes_force(tmp_path: Path) -> None:
    src = autoeq(tmp_path / "Sennheiser HD 650 ParametricEQ.txt", -3.0, ["PK Fc 3000 Hz Gain 2.5 dB Q 2"])
    runner = CliRunner()
    result = runner.invoke(cli, ["headphones", "import", str(src)])
    assert result.exit_code == 1 and "--force" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["headphones", "import", str(src), "--force"])
    assert result.exit_code == 0, result.output
