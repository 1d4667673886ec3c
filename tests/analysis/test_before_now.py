"""Before/Now: two bounces of a real-instrument song that differ only in one chorus's reverb send report that
chorus only, per section of the earlier bounce's structure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from daw_bridge.analysis.before_now import compare_bounces, measure_bounces
from daw_bridge.cli import cli
from tests.support.signals import add_reverb, db_to_amp
from tests.support.songs import Song, SongPlan, render_song

PLAN = SongPlan((("intro", 2), ("verse", 4), ("chorus", 4), ("verse", 4), ("chorus", 4), ("outro", 2)), (84,) * 6,
                seed=4)
LOW_SEND_DB, HIGH_SEND_DB = -20.0, -4.0


@pytest.fixture(scope="module")
def bounces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, tuple[float, float]]:
    """(before.wav, now.wav, the second chorus's span): the send is raised for that chorus only; its tail rings
    on into what follows, as a send automation does."""
    folder = tmp_path_factory.mktemp("bounces")
    song: Song = render_song(PLAN, folder)
    dry = song.audio.astype(np.float64)
    rate = song.rate
    edges = (0.0, *song.boundaries_s, len(dry) / rate)
    chorus = [(a, b) for k, a, b in zip(song.kinds, edges[:-1], edges[1:], strict=True) if k == "chorus"][1]
    part = np.zeros_like(dry)
    a, b = int(chorus[0] * rate), int(chorus[1] * rate)
    part[a:b] = dry[a:b]
    conv_all = add_reverb(dry, rate, rt60_s=1.2, send_db=0.0) - dry
    conv_part = add_reverb(part, rate, rt60_s=1.2, send_db=0.0) - part
    low, high = db_to_amp(LOW_SEND_DB), db_to_amp(HIGH_SEND_DB)
    before = dry + low * conv_all
    now = dry + low * (conv_all - conv_part) + high * conv_part
    scale = 0.9 / max(np.abs(before).max(), np.abs(now).max())
    sf.write(folder / "before.wav", (before * scale).astype(np.float32), rate, subtype="FLOAT")
    sf.write(folder / "now.wav", (now * scale).astype(np.float32), rate, subtype="FLOAT")
    return folder / "before.wav", folder / "now.wav", chorus


def test_only_the_chorus_whose_send_changed_is_reported(bounces: tuple[Path, Path, tuple[float, float]]) -> None:
    before, now, (c0, c1) = bounces
    b, n = measure_bounces(before, now)
    assert [s.start_s for s in b.sections] == [s.start_s for s in n.sections]
    assert [s.role for s in b.sections] == [s.role for s in n.sections]
    result = compare_bounces(b, n)
    assert result.changes, [(s.name, s.start_s, s.reverb_db) for s in result.sections]
    for c in result.changes:  # every change lies in the section that holds that chorus
        overlap = min(c.end_s, c1) - max(c.start_s, c0)
        assert overlap > 0.8 * (c.end_s - c.start_s), (c, (c0, c1))
        assert c.role == "chorus-like" and c.value > 0
    reverb = [c for c in result.changes if c.area == "reverb"]
    assert len(reverb) == 1 and reverb[0].value > 3.0 and "wetter than before" in reverb[0].message
    # the louder decorrelated reverb also widens the side/mid ratio; nothing else (level, highs, dynamics) moves
    assert {c.area for c in result.changes} <= {"reverb", "width"}
    # and a bounce compared with itself changes nothing
    assert compare_bounces(b, b).changes == ()


def test_the_cli_reports_it_as_text_and_json(bounces: tuple[Path, Path, tuple[float, float]], tmp_path: Path) -> None:
    before, now, (c0, c1) = bounces
    runner = CliRunner()
    out = runner.invoke(cli, ["compare", str(before), str(now), "--json", "--cache-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"before", "now", "loudness_lu", "sections", "changes", "notes"}
    assert "reverb" in {c["area"] for c in data["changes"]} <= {"reverb", "width"}
    assert all("role" in s and "letter" in s for s in data["sections"])
    text = runner.invoke(cli, ["compare", str(before), str(now), "--cache-dir", str(tmp_path)])
    assert text.exit_code == 0 and "wetter than before" in text.output and "reverb dB" in text.output
    missing = runner.invoke(cli, ["compare", str(before), str(tmp_path / "nope.wav"), "--no-cache"])
    assert missing.exit_code == 1 and "nope.wav" in missing.output and "Traceback" not in missing.output
