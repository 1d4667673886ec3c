"""Drive check against the hand-worked examples in docs/headphones.md."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from daw_bridge.errors import InvalidParameter, PresetError
from daw_bridge.headphones.amps import LoadLimit, custom_amp, get_amp, load_amp_presets
from daw_bridge.headphones.drive import (
    check_drive,
    damping_factor,
    limit_vrms_at,
    load_voltage_vrms,
    meets_one_eighth_rule,
    power_mw,
    spl_at_voltage_db,
    spl_per_mw_to_per_v,
    spl_per_v_to_per_mw,
    voltage_for_spl_vrms,
)
from daw_bridge.headphones.facts import get_facts


def test_example_1_hd600_on_a_typical_laptop() -> None:
    # V_L = 0.7 * 300 / (300 + 10) = 0.67742 V; SPL = 97 + 20 log10(0.67742) = 97 - 3.383 = 93.617 dB SPL
    check = check_drive(get_facts("Sennheiser HD 600"), get_amp("laptop"))
    assert check.max_voltage_vrms == pytest.approx(0.67742, abs=1e-5)
    assert check.max_spl_db == pytest.approx(93.617, abs=0.001)
    assert check.headroom_db == pytest.approx(-1.383, abs=0.001)  # target 75 + 20 = 95 dB SPL
    assert check.damping_factor == pytest.approx(30.0) and check.one_eighth_ok
    # range corners: 0.5 V through 75 ohm -> 0.4 V -> 89.04; 1.0 V through 1 ohm -> 0.99668 V -> 96.97
    assert check.max_spl_range_db == pytest.approx((89.041, 96.971), abs=0.001)
    assert "1.4 dB short of clean peaks" in check.verdict[0]
    assert "use an interface or a headphone amp" in check.verdict[0]


def test_example_2_mdr7506_on_a_phone_adapter() -> None:
    # S_V = 106 + 10 log10(1000/63) = 118.007; V_L = 0.5 * 63 / 63.33 = 0.49739 V
    # SPL = 118.007 + 20 log10(0.49739) = 118.007 - 6.066 = 111.941; P = 0.49739^2 / 63 * 1000 = 3.927 mW
    check = check_drive(get_facts("Sony MDR-7506"), get_amp("phone-dongle"))
    assert check.sens_derived
    assert check.max_spl_db == pytest.approx(111.941, abs=0.001)
    assert check.power_at_max_mw == pytest.approx(3.927, abs=0.001)
    assert check.headroom_db == pytest.approx(16.941, abs=0.001)
    assert "above clean peaks" in check.verdict[0]


def test_example_3_hd650_on_a_magni_uses_the_rated_power_at_300_ohm() -> None:
    # 260 mW into 300 ohm -> V = sqrt(0.26 * 300) = 8.8318 V; SPL = 103 + 20 log10(8.8318) = 121.921 dB SPL
    check = check_drive(get_facts("Sennheiser HD 650"), get_amp("magni-2"))
    assert check.max_voltage_vrms == pytest.approx(8.8318, abs=1e-4)
    assert check.max_spl_db == pytest.approx(121.921, abs=0.001)
    assert check.damping_factor == pytest.approx(1500.0)


def test_example_4_planar_on_a_laptop_breaks_the_one_eighth_rule_with_a_level_loss_only() -> None:
    # LCD-X: 20 ohm, 103 dB/mW -> 119.990 dB/V; DF = 20/10 = 2 < 8; loss = 20 log10(20/30) = -3.52 dB
    check = check_drive(get_facts("Audeze LCD-X"), get_amp("laptop"))
    assert check.damping_factor == pytest.approx(2.0) and check.one_eighth_ok is False
    assert check.max_spl_db == pytest.approx(119.990 + 20 * math.log10(0.7 * 20 / 30), abs=0.001)
    assert "planar" in check.verdict[-1] and "-3.5 dB" in check.verdict[-1]
    dynamic = check_drive(get_facts("AKG K702"), custom_amp(vout_vrms=2.0, zout_ohm=10.0))
    assert "bass and treble shifts" in dynamic.verdict[-1] and "7.8 ohm" in dynamic.verdict[-1]


def test_example_5_the_headphones_power_rating_caps_a_strong_amp() -> None:
    # K702 on 20 Vrms: 105 + 26.021 = 131.021 dB SPL by voltage, but 200 mW gives
    # 105 - 10 log10(1000/62) + 10 log10(200) = 92.924 + 23.010 = 115.934 dB SPL
    check = check_drive(get_facts("AKG K702"), custom_amp(vout_vrms=20.0, zout_ohm=0.0))
    assert check.limited_by == "headphone's rated max input"
    assert check.max_spl_db == pytest.approx(115.934, abs=0.001)
    assert check.power_at_max_mw == 200.0
    loud = check_drive(get_facts("AKG K702"), custom_amp(vout_vrms=20.0, zout_ohm=0.0), listening_spl_db=100)
    assert "listen lower" in loud.verdict[0]


def test_formulas_invert_and_agree() -> None:
    assert spl_per_v_to_per_mw(spl_per_mw_to_per_v(96.0, impedance_ohm=250), impedance_ohm=250) == pytest.approx(96)
    assert spl_per_mw_to_per_v(96.0, impedance_ohm=1000) == pytest.approx(96.0)  # 1 V into 1 kohm is 1 mW
    v = voltage_for_spl_vrms(95.0, sens_db_per_v=102.0)
    assert spl_at_voltage_db(v, sens_db_per_v=102.0) == pytest.approx(95.0)
    assert power_mw(1.0, impedance_ohm=32) == pytest.approx(31.25)
    assert load_voltage_vrms(2.0, zout_ohm=0.0, impedance_ohm=32) == 2.0
    assert damping_factor(32, zout_ohm=0.0) == math.inf
    assert meets_one_eighth_rule(80, zout_ohm=10) and not meets_one_eighth_rule(80, zout_ohm=10.01)


def test_load_limits_interpolate_in_log_impedance_and_hold_outside() -> None:
    limits = (LoadLimit(32, 6.2), LoadLimit(64, 6.5), LoadLimit(600, 6.7))
    # 300 ohm: t = ln(300/64) / ln(600/64) = 0.69029 -> 6.5 + 0.2 * 0.69029 = 6.6381 V
    assert limit_vrms_at(limits, 300) == pytest.approx(6.6381, abs=1e-4)
    assert limit_vrms_at(limits, 16) == 6.2 and limit_vrms_at(limits, 2000) == 6.7
    assert limit_vrms_at(limits, 64) == pytest.approx(6.5)


def test_missing_figures_say_what_to_pass() -> None:
    with pytest.raises(InvalidParameter, match="--impedance"):
        check_drive(get_facts("Beyerdynamic DT 770 Pro"), get_amp("laptop"))
    with pytest.raises(InvalidParameter, match="--sensitivity"):
        check_drive(get_facts("Beyerdynamic DT 990 (fresh earpads)").with_overrides(impedance_ohm=250),
                    get_amp("laptop"))
    check = check_drive(get_facts("AKG K702"), get_amp("scarlett-2i2-gen3"))
    assert check.max_spl_db is None and check.headroom_db is None
    assert check.verdict[0].startswith("Cannot say") and "--vout" in check.verdict[0]
    assert check.damping_factor == pytest.approx(6.2)


def test_measured_sensitivity_is_used_on_request() -> None:
    spec = check_drive(get_facts("Sennheiser HD 600"), get_amp("laptop"))
    measured = check_drive(get_facts("Sennheiser HD 600"), get_amp("laptop"), use_measured=True)
    assert measured.max_spl_db is not None and spec.max_spl_db is not None
    assert measured.max_spl_db - spec.max_spl_db == pytest.approx(5.8, abs=1e-9)


def test_bad_levels_and_amp_figures_are_rejected() -> None:
    with pytest.raises(InvalidParameter, match="listening level"):
        check_drive(get_facts("AKG K702"), get_amp("laptop"), listening_spl_db=150)
    with pytest.raises(InvalidParameter, match="--vout"):
        custom_amp(vout_vrms=0.0, zout_ohm=1.0)
    with pytest.raises(InvalidParameter, match="no amplifier preset 'nope'"):
        get_amp("nope")


def test_every_amp_preset_is_sourced() -> None:
    for amp in load_amp_presets().values():
        assert amp.sources, amp.key
        if amp.vout_vrms is not None:
            assert amp.vout_source, amp.key
        if amp.zout_ohm is not None:
            assert amp.zout_source, amp.key
        if amp.limits:
            assert amp.limits_source, amp.key
        if amp.vout_vrms is None and not amp.limits:
            assert amp.missing_reason["vout_vrms"], amp.key


def test_broken_amp_file_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "amplifiers.toml"
    path.write_text('[[amplifier]]\nkey = "x"\nkind = "laptop"\nzout_ohm = 1.0\n', encoding="utf-8")
    with pytest.raises(PresetError, match=r"\(x\): vout_vrms is missing and vout_missing"):
        load_amp_presets(path)
