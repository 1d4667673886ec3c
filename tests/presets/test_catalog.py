"""Shipped presets: complete, readable, rebuilt from AutoEq identically; lookup and user import in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.errors import PresetError
from daw_bridge.presets.autoeq import parse_file
from daw_bridge.presets.build import build_shipped
from daw_bridge.presets.catalog import all_presets, find_preset, import_autoeq, load_preset, shipped_dir
from tests.support.paths import AUTOEQ_DIR

AUTOEQ = AUTOEQ_DIR
REQUESTED = ["Sennheiser HD 600", "Sennheiser HD 650", "Sennheiser HD 800 S", "Beyerdynamic DT 990 Pro",
             "Beyerdynamic DT 770 Pro", "Beyerdynamic DT 880", "AKG K701", "AKG K702", "Audio-Technica ATH-M50x",
             "Sony MDR-7506", "Audeze LCD-X", "Focal Clear Mg", "Focal Utopia", "Beyerdynamic DT 990 (fresh earpads)",
             "Beyerdynamic DT 770 80 Ohm", "Audeze LCD-X (2021)"]  # fmt: skip


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAW_BRIDGE_DATA_DIR", str(tmp_path / "data"))


def test_every_requested_model_ships_with_metadata_and_licence() -> None:
    names = {p.name for p in all_presets()}
    assert set(REQUESTED) <= names
    licence = shipped_dir().parent / "LICENSE-AutoEq.txt"
    assert "MIT License" in licence.read_text() and "Jaakko Pasanen" in licence.read_text()
    for preset in all_presets():
        assert preset.source["license_file"] == licence.name and preset.source["autoeq_commit"]
        assert preset.source["target"].startswith("Harman over-ear 2018") and preset.eq.preamp_db < 0


def test_caveats_are_recorded() -> None:
    assert any("DT 880 Pro" in c for c in find_preset("Beyerdynamic DT 880").caveats)
    assert find_preset("beyerdynamic dt 880 pro").name == "Beyerdynamic DT 880"
    assert any("Rtings" in c for c in find_preset("Beyerdynamic DT 990 Pro").caveats)


@pytest.mark.skipif(not AUTOEQ.is_dir(), reason="reference AutoEq files not on this machine")
def test_shipped_files_are_exactly_what_the_generator_builds(tmp_path: Path) -> None:
    written = build_shipped(AUTOEQ, tmp_path)
    assert len(written) == len(list(shipped_dir().glob("*.toml")))
    for path in written:
        assert path.read_text() == (shipped_dir() / path.name).read_text(), path.name
    for preset in all_presets():
        assert preset.eq == parse_file(AUTOEQ / f"{preset.name} ParametricEQ.txt")


def test_lookup_is_case_insensitive_and_suggests() -> None:
    assert find_preset("  sennheiser   HD 650 ").name == "Sennheiser HD 650"
    with pytest.raises(PresetError, match="Did you mean: Sennheiser HD 650"):
        find_preset("Senheiser HD 650")


def test_extra_tables_such_as_facts_are_ignored(tmp_path: Path) -> None:
    text = (shipped_dir() / "AKG K701.toml").read_text() + "\n[facts]\nimpedance_ohm = 62.0\n"
    path = tmp_path / "AKG K701.toml"
    path.write_text(text)
    assert load_preset(path).eq == find_preset("AKG K701").eq


def test_import_saves_a_user_preset_that_is_then_found(tmp_path: Path) -> None:
    src = tmp_path / "My Cans ParametricEQ.txt"
    src.write_text("Preamp: -2.5 dB\nFilter 1: ON PK Fc 3000 Hz Gain 2.5 dB Q 2\n")
    preset = import_autoeq(src)
    assert preset.name == "My Cans" and preset.path is not None and preset.path.parent == tmp_path / "data" / "presets"
    found = find_preset("my cans")
    assert found.user and found.eq.preamp_db == -2.5
    renamed = import_autoeq(src, name="Studio pair")
    assert find_preset("STUDIO PAIR").eq == renamed.eq


def test_broken_preset_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('schema = 1\nname = "x"\n[eq]\npreamp_db = -1\nfilters = [{type = "notch", freq_hz = 1}]\n')
    with pytest.raises(PresetError, match="bad.toml.*notch"):
        load_preset(path)
