"""Headphone facts: every shipped preset model covered, every value sourced, every gap explained."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from daw_bridge.errors import InvalidParameter, PresetError
from daw_bridge.headphones.facts import (
    UNIT_PER_MW,
    UNIT_PER_V,
    Sensitivity,
    format_facts,
    get_facts,
    load_headphone_facts,
)
from tests.support.paths import AUTOEQ_DIR

REQUIRED_MODELS = [
    "Sennheiser HD 600", "Sennheiser HD 650", "Sennheiser HD 800 S", "Beyerdynamic DT 990 Pro",
    "Beyerdynamic DT 770 Pro", "Beyerdynamic DT 880", "Beyerdynamic DT 990 (fresh earpads)",
    "Beyerdynamic DT 770 80 Ohm", "AKG K701", "AKG K702", "Audio-Technica ATH-M50x", "Sony MDR-7506",
    "Audeze LCD-X", "Audeze LCD-X (2021)", "Focal Clear Mg", "Focal Utopia",
]


@pytest.mark.parametrize("model", REQUIRED_MODELS)
def test_every_preset_model_has_facts_under_its_autoeq_name(model: str) -> None:
    assert get_facts(model).model == model


def test_names_match_the_autoeq_files_when_available() -> None:
    if not AUTOEQ_DIR.is_dir():
        pytest.skip("AutoEq reference folder not present")
    names = {p.name.removesuffix(" ParametricEQ.txt") for p in AUTOEQ_DIR.glob("* ParametricEQ.txt")}
    shipped = {f.model for f in load_headphone_facts().values()}
    assert names <= shipped


def test_every_value_has_a_source_and_every_gap_a_reason() -> None:
    for facts in load_headphone_facts().values():
        assert facts.sources, facts.model
        if facts.impedance_ohm is None:
            assert facts.missing_reason["impedance_ohm"], facts.model
        else:
            assert facts.impedance_source, facts.model
        if facts.sensitivity is None:
            assert facts.missing_reason["sensitivity"], facts.model
        else:
            assert facts.sensitivity.source and facts.sensitivity.unit in (UNIT_PER_MW, UNIT_PER_V)
        if facts.max_input_mw is None:
            assert facts.missing_reason["max_input_mw"], facts.model
        else:
            assert facts.max_input_source, facts.model


def test_unconfirmed_variants_stay_missing() -> None:
    dt770 = get_facts("Beyerdynamic DT 770 Pro")
    assert dt770.impedance_ohm is None and "32, 80 and 250" in dt770.missing_reason["impedance_ohm"]
    dt990 = get_facts("Beyerdynamic DT 990 (fresh earpads)")
    assert dt990.sensitivity is None and dt990.impedance_ohm is None
    assert dt770.sensitivity_in(UNIT_PER_V) is None  # cannot convert without the impedance
    assert dt770.sensitivity_in(UNIT_PER_MW) == dt770.sensitivity  # the stated unit needs no impedance


def test_conversion_matches_hand_worked_examples() -> None:
    # HD 600: 97 dB SPL/V at 300 ohm -> 97 - 10 log10(1000/300) = 97 - 5.229 = 91.771 dB SPL/mW
    per_mw = get_facts("Sennheiser HD 600").sensitivity_in(UNIT_PER_MW)
    assert per_mw is not None and per_mw.derived
    assert per_mw.value_db == pytest.approx(91.771, abs=0.001)
    # MDR-7506: 106 dB SPL/mW at 63 ohm -> 106 + 10 log10(1000/63) = 106 + 12.007 = 118.007 dB SPL/V
    per_v = get_facts("Sony MDR-7506").sensitivity_in(UNIT_PER_V)
    assert per_v is not None and per_v.value_db == pytest.approx(118.007, abs=0.001)
    stated = get_facts("Sony MDR-7506").sensitivity
    assert stated is not None and not stated.derived and stated.unit == UNIT_PER_MW


def test_roles_follow_the_seed_articles() -> None:
    for facts in load_headphone_facts().values():
        if facts.design == "closed-back":
            assert facts.role == "tracking", facts.model
        else:
            assert facts.role in ("mixing", "mastering"), facts.model


@pytest.mark.parametrize("query", ["sennheiser hd 600", "  SENNHEISER   HD 600 ", "HD600", "hd 600"])
def test_lookup_is_case_and_space_insensitive(query: str) -> None:
    assert get_facts(query).model == "Sennheiser HD 600"


def test_unknown_model_names_close_matches() -> None:
    with pytest.raises(InvalidParameter, match="Did you mean: Sennheiser HD 650"):
        get_facts("Sennheiser HD 65O")


def test_overrides_fill_gaps() -> None:
    facts = get_facts("Beyerdynamic DT 770 Pro").with_overrides(impedance_ohm=80)
    assert facts.impedance_ohm == 80 and "impedance_ohm" not in facts.missing_reason
    per_v = facts.sensitivity_in(UNIT_PER_V)
    assert per_v is not None and per_v.value_db == pytest.approx(96 + 10 * math.log10(1000 / 80))
    filled = get_facts("Beyerdynamic DT 990 (fresh earpads)").with_overrides(
        impedance_ohm=250, sensitivity=Sensitivity(96.0, UNIT_PER_MW)
    )
    assert filled.missing_reason.keys() == {"max_input_mw"}
    with pytest.raises(InvalidParameter):
        get_facts("AKG K701").with_overrides(impedance_ohm=-3)


def test_format_facts_shows_values_derivations_and_gaps() -> None:
    text = "\n".join(format_facts(get_facts("AKG K702")))
    assert "62 ohm" in text and "105.0 dB SPL/V" in text and "(derived with the impedance)" in text
    gaps = "\n".join(format_facts(get_facts("Beyerdynamic DT 990 (fresh earpads)")))
    assert gaps.count("missing:") == 3


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "headphones.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_broken_files_name_the_file_and_model(tmp_path: Path) -> None:
    with pytest.raises(PresetError, match="headphones.toml: not valid TOML"):
        load_headphone_facts(_write(tmp_path, "[[headphone]\n"))
    no_reason = """[[headphone]]
model = "X"
design = "open-back"
driver = "dynamic"
role = "mixing"
sensitivity = { value = 100.0, unit = "dB SPL/V", source = "s" }
max_input_mw = 10
"""
    with pytest.raises(PresetError, match=r"\(X\): impedance_ohm is missing and impedance_ohm_missing"):
        load_headphone_facts(_write(tmp_path, no_reason))
    complete = no_reason.replace("max_input_mw = 10", "impedance_ohm = 32\nmax_input_mw = 1")
    bad_unit = complete.replace('"dB SPL/V"', '"dB/W"')
    with pytest.raises(PresetError, match="unit 'dB/W'"):
        load_headphone_facts(_write(tmp_path, bad_unit))
    unsourced = complete.replace(', source = "s"', "")
    with pytest.raises(PresetError, match="needs a source"):
        load_headphone_facts(_write(tmp_path, unsourced))
    with pytest.raises(PresetError, match="facts file not found"):
        load_headphone_facts(tmp_path / "absent.toml")
