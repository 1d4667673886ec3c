"""The .ReaperOSC grammar, against REAPER's own default file and our shipped one."""

from __future__ import annotations

from pathlib import Path

import pytest

from daw_bridge.errors import AddressError, PatternFileError
from daw_bridge.osc.patterns import PatternSet, default_pattern_file, load_patterns
from tests.support.paths import REAPER_DEFAULT_OSC

REAPER_DEFAULT = REAPER_DEFAULT_OSC


@pytest.fixture(scope="module")
def default() -> PatternSet:
    if not REAPER_DEFAULT.exists():
        pytest.skip(f"REAPER's Default.ReaperOSC not found at {REAPER_DEFAULT}")
    return PatternSet.from_file(REAPER_DEFAULT)


def test_default_file_settings(default: PatternSet) -> None:
    assert default.track_count == 8
    assert default.fx_param_count == 16
    assert default.marker_count == 0
    assert default.settings["DEVICE_EQ"] == "INSERT"
    assert default.settings["REAPER_TRACK_FOLLOWS"] == "REAPER"


def test_setting_and_action_with_same_name_are_told_apart(default: PatternSet) -> None:
    # DEVICE_TRACK_COUNT is both a setting line (8) and an action line (i/device/track/count ...)
    assert default.settings["DEVICE_TRACK_COUNT"] == "8"
    assert default.address("DEVICE_TRACK_COUNT", "i") == "/device/track/count"
    assert default.address("DEVICE_TRACK_COUNT", "t", 16) == "/device/track/count/16"


@pytest.mark.parametrize(
    ("action", "flag", "targets", "expected"),
    [
        ("TRACK_VOLUME", "f", (3,), "/track/3/volume/db"),
        ("TRACK_VOLUME", "n", (3,), "/track/3/volume"),
        ("TRACK_VOLUME", "f", (), "/track/volume/db"),
        ("TRACK_MUTE", "b", (1,), "/track/1/mute"),
        ("TRACK_MUTE", "t", (1,), "/track/1/mute/toggle"),
        ("FX_NAME", "s", (2, 1), "/track/2/fx/1/name"),
        ("FX_PARAM_VALUE", "n", (2, 1, 5), "/track/2/fx/1/fxparam/5/value"),
        ("ACTION", "i", (), "/action"),
        ("ACTION", "t", (41743,), "/action/41743"),
        ("ACTION", "t", ("_RSdawbridge_bridge",), "/action/_RSdawbridge_bridge"),
        ("ACTION", "s", (), "/action/str"),
        ("LOOP_START_TIME", "f", (), "/loop/start/time"),
        ("MARKERID_NAME", "s", (4,), "/marker_id/4/name"),
        ("FX_PARAM_VALUE", "n", (3, (1, 2, 5), (6, 7, 7)), "/track/3/fx/1,2,5/fxparam/6,7,7/value"),
    ],
)
def test_build(default: PatternSet, action: str, flag: str, targets: tuple, expected: str) -> None:
    assert default.address(action, flag, *targets) == expected


def test_every_pattern_routes_back_to_itself(default: PatternSet) -> None:
    for pattern in default.patterns:
        targets = tuple(range(1, pattern.wildcards + 1))
        address = pattern.build(*targets)
        matches = default.match(address)
        assert any(m.pattern == pattern and m.targets == targets for m in matches), address


def test_match_decodes_targets(default: PatternSet) -> None:
    m = default.match_one("/track/12/fx/3/bypass")
    assert m is not None and m.action == "FX_BYPASS" and m.flag == "b" and m.targets == (12, 3)
    m = default.match_one("/track/1,2,3/solo")
    assert m is not None and m.targets == ((1, 2, 3),)
    assert default.match_one("/track/x/volume") is None
    assert default.match("/no/such/address") == []
    # a track-less pattern is not mistaken for a target slot
    m = default.match_one("/track/volume/str")
    assert m is not None and m.targets == () and m.flag == "s"


def test_reapers_typo_is_kept_verbatim(default: PatternSet) -> None:
    # REAPER's default file really says gain/sb for the selected-track hishelf gain: we read what is there.
    assert default.address("FX_EQ_HISHELF_GAIN", "f") == "/fxeq/hishelf/gain/sb"


def test_missing_pattern_raises_address_error(default: PatternSet) -> None:
    with pytest.raises(AddressError, match="no pattern for MASTER_VOLUME flag f"):
        default.address("MASTER_VOLUME", "f")
    with pytest.raises(AddressError, match="takes 1 target"):
        default.find("TRACK_VOLUME", "f", 1).build()


def test_bad_targets_refused(default: PatternSet) -> None:
    p = default.find("TRACK_MUTE", "b", 1)
    for bad in (-1, True, "abc", (), (1, -2)):
        with pytest.raises(AddressError):
            p.build(bad)


def test_shipped_file_extends_default(default: PatternSet) -> None:
    ours = load_patterns()
    assert default_pattern_file().name == "daw-bridge.ReaperOSC"
    assert ours.track_count == 64 and ours.marker_count == 64
    assert ours.address("MASTER_VOLUME", "f") == "/master/volume/db"
    removed = {"TRACK_VU", "TRACK_VU_L", "TRACK_VU_R", "MASTER_VU", "MASTER_VU_L", "MASTER_VU_R", "BEAT",
               "SAMPLES", "FRAMES"}
    ours_set = {(p.action, p.flag, p.template) for p in ours.patterns}
    for p in default.patterns:
        if p.action not in removed:
            assert (p.action, p.flag, p.template) in ours_set, p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("TRACK_VOLUME x/track/@/volume\n", r"<t>:1: 'x/track/@/volume' is not a pattern"),
        ("\n\ntrack_volume f/track/@/volume/db\n", r"<t>:3: 'track_volume' is not an ACTION"),
        ("TRACK_VOLUME f/track/@/volume/db junk\n", r"<t>:1: 'junk' is not a pattern"),
    ],
)
def test_malformed_lines_name_the_line(text: str, message: str) -> None:
    with pytest.raises(PatternFileError, match=message):
        PatternSet.from_text(text, source="<t>")


def test_comments_blank_lines_and_empty_actions() -> None:
    ps = PatternSet.from_text(
        "# comment\n\nDEVICE_TRACK_COUNT 16 # trailing\nEMPTY_ACTION\nTRACK_NAME s/track/@/name  # c\n"
    )
    assert ps.track_count == 16
    assert [p.template for p in ps.patterns] == ["/track/@/name"]
    assert not ps.has("EMPTY_ACTION")


def test_non_integer_setting_is_reported() -> None:
    ps = PatternSet.from_text("DEVICE_TRACK_COUNT many\n", source="x.ReaperOSC")
    with pytest.raises(PatternFileError, match="DEVICE_TRACK_COUNT = 'many'"):
        _ = ps.track_count


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PatternFileError, match="not found"):
        PatternSet.from_file(tmp_path / "missing.ReaperOSC")
    binary = tmp_path / "bin.ReaperOSC"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PatternFileError, match="not a text file"):
        PatternSet.from_file(binary)


def test_fixture_is_reapers_file_verbatim() -> None:
    shared = REAPER_DEFAULT.parents[3] / ".." / "shared" / "reference" / "reaper" / "Default.ReaperOSC"
    for candidate in (shared, Path("/work/shared/reference/reaper/Default.ReaperOSC")):
        if candidate.exists():
            assert candidate.read_bytes() == REAPER_DEFAULT.read_bytes()
            return
    pytest.skip("no shared/ reference copy beside the repository to compare with")
