"""Config loading, unit conversions and the band table."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from daw_bridge.bands import BANDS, band_by_name
from daw_bridge.config import Config, config_from_mapping, load_config
from daw_bridge.errors import ConfigError, InvalidParameter
from daw_bridge.units import db_to_gain, gain_to_db, normalized_to_pan, pan_to_normalized, powers_to_db


def test_defaults_match_reapers_defaults() -> None:
    cfg = Config()
    assert (cfg.host, cfg.send_port, cfg.receive_port, cfg.listen_host) == ("127.0.0.1", 8000, 9000, "127.0.0.1")


def test_load_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[reaper]\nsend_port = 8100\ntimeout_s = 1\n[tracks]\nreferences = ["A", "B"]\n'
                    '[paths]\nbridge_dir = "~/mailbox"\n')
    cfg = load_config(path)
    assert cfg.send_port == 8100 and cfg.timeout_s == 1.0 and cfg.reference_tracks == ("A", "B")
    assert cfg.bridge_dir == Path("~/mailbox").expanduser()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reaper": {"send_port": "8000"}}, "reaper.send_port must be int"),
        ({"reaper": {"send_port": 70000}}, "send_port 70000 is not a UDP port"),
        ({"reaper": {"bogus": 1}}, "unknown key reaper.bogus"),
        ({"nope": {}}, r"unknown section \[nope\]"),
        ({"daw": {"backend": "logic"}}, "daw.backend 'logic'"),
        ({"tracks": {"references": "REF"}}, "must be a list of strings"),
    ],
)
def test_bad_values_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_mapping(data, source="c.toml")


def test_explicit_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[reaper\nport=")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(bad)


def test_db_gain_round_trip() -> None:
    for db in (-60.0, -6.0, 0.0, 12.0):
        assert gain_to_db(db_to_gain(db)) == pytest.approx(db)
    assert db_to_gain(-math.inf) == 0.0 and gain_to_db(0.0) == -math.inf
    assert db_to_gain(-6.0) == pytest.approx(0.501187, rel=1e-5)
    assert list(powers_to_db([0.0, 1.0, 0.1])) == [-math.inf, 0.0, pytest.approx(-10.0)]


def test_pan_mapping() -> None:
    assert pan_to_normalized(-1) == 0.0 and pan_to_normalized(0) == 0.5 and pan_to_normalized(1) == 1.0
    assert normalized_to_pan(0.25) == -0.5


def test_bands_are_contiguous_and_named() -> None:
    assert [b.name for b in BANDS] == ["sub", "bass", "low-mid", "mid", "high-mid", "low-highs", "highs"]
    assert BANDS[0].low_hz == 20 and BANDS[-1].high_hz == 20000
    for a, b in zip(BANDS, BANDS[1:], strict=False):
        assert a.high_hz == b.low_hz
    assert band_by_name("Low_Mid").name == "low-mid" and band_by_name("lowhighs").name == "low-highs"
    with pytest.raises(InvalidParameter, match="unknown band 'air'"):
        band_by_name("air")
