"""Alignment of two bounces of the same song (chroma/onset DTW): an edit that inserts 4 s near the start no longer
pairs every later section with the wrong stretch; the boundaries land within one bar of where the edit put them,
and only the section whose reverb send changed is reported. Without a timing change the result is exactly the
unaligned one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.analysis.align import align_files, dtw_path
from daw_bridge.analysis.before_now import compare_bounces, measure_bounces
from daw_bridge.analysis.cache import AnalysisCache
from daw_bridge.errors import InvalidParameter
from tests.analysis.test_before_now import HIGH_SEND_DB, LOW_SEND_DB, PLAN, bounces  # noqa: F401  (fixture)
from tests.support.signals import add_reverb, db_to_amp
from tests.support.songs import Song, render_song

INSERT_S = 4.0  # the edit: 4 s of the intro's first bar played again, right after that bar


def _brute_force_cost(cost: np.ndarray) -> float:
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
    return float(total[n, m])


def test_dtw_finds_the_cheapest_path_and_follows_an_insertion() -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        n, m = rng.integers(1, 9, 2)
        cost = rng.random((n, m))
        path = dtw_path(cost)
        assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1)
        assert np.all(np.diff(path, axis=0) >= 0) and np.all(np.diff(path, axis=0).sum(axis=1) >= 1)
        assert sum(cost[i, j] for i, j in path) == pytest.approx(_brute_force_cost(cost))
    a = rng.normal(size=(40, 3))
    b = np.vstack([a[:10], a[5:10], a[10:]])  # frames 5-9 played twice
    path = dtw_path(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)))
    assert [int(j) for i, j in path if i == 20] == [25]  # after the repeat, everything is 5 frames later
    with pytest.raises(InvalidParameter, match="non-empty 2-D"):
        dtw_path(np.zeros((0, 3)))


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float, tuple[float, float]]:
    """(before.wav, now.wav, where the 4 s went in, the second chorus's span in BEFORE): NOW has 4 s inserted
    after the first bar and the second chorus's reverb send raised from -20 to -4 dB."""
    folder = tmp_path_factory.mktemp("edited")
    song: Song = render_song(PLAN, folder)
    dry = song.audio.astype(np.float64)
    rate = song.rate
    at_s = song.bar_s[0]
    at, length = int(at_s * rate), int(INSERT_S * rate)
    edges = (0.0, *song.boundaries_s, len(dry) / rate)
    chorus = [(a, b) for k, a, b in zip(song.kinds, edges[:-1], edges[1:], strict=True) if k == "chorus"][1]
    part = np.zeros_like(dry)
    a, b = int(chorus[0] * rate), int(chorus[1] * rate)
    part[a:b] = dry[a:b]

    def insert(x: np.ndarray) -> np.ndarray:
        return np.concatenate([x[:at], x[:length], x[at:]])

    def wet(x: np.ndarray) -> np.ndarray:
        return add_reverb(x, rate, rt60_s=1.2, send_db=0.0) - x

    low, high = db_to_amp(LOW_SEND_DB), db_to_amp(HIGH_SEND_DB)
    before = dry + low * wet(dry)
    dry_now, part_now = insert(dry), insert(part)
    now = dry_now + low * (wet(dry_now) - wet(part_now)) + high * wet(part_now)
    scale = 0.9 / max(np.abs(before).max(), np.abs(now).max())
    sf.write(folder / "before.wav", (before * scale).astype(np.float32), rate, subtype="FLOAT")
    sf.write(folder / "now.wav", (now * scale).astype(np.float32), rate, subtype="FLOAT")
    return folder / "before.wav", folder / "now.wav", at_s, chorus


def test_an_inserted_bar_is_aligned_and_only_the_changed_chorus_is_reported(
    edited: tuple[Path, Path, float, tuple[float, float]],
) -> None:
    before, now, at_s, (c0, c1) = edited
    bar_s = PLAN.tempos_bpm[0] and 4 * 60.0 / PLAN.tempos_bpm[0]
    b, n = measure_bounces(before, now)
    assert [s.name for s in b.sections] == [s.name for s in n.sections] and len(b.sections) >= 5
    for sb, sn in zip(b.sections, n.sections, strict=True):  # each boundary where the edit moved it, within a bar
        truth = sb.start_s + (INSERT_S if sb.start_s > at_s else 0.0)
        assert abs(sn.start_s - truth) <= bar_s, (sb.name, sb.start_s, sn.start_s, truth)
    result = compare_bounces(b, n)
    assert result.changes, [(s.name, s.reverb_db, s.width_db) for s in result.sections]
    for c in result.changes:  # every change is the chorus whose send went up
        overlap = min(c.end_s, c1) - max(c.start_s, c0)
        assert overlap > 0.8 * (c.end_s - c.start_s), (c, (c0, c1))
    assert [c.area for c in result.changes if c.area == "reverb"] == ["reverb"]
    assert {c.area for c in result.changes} <= {"reverb", "width"}
    assert any("aligned" in note for note in result.notes)
    # unaligned, the 4 s shift pairs the sections with the wrong stretches and reports more than that chorus
    unaligned = compare_bounces(*measure_bounces(before, now, align=False))
    assert len(unaligned.changes) > len(result.changes)


def test_without_a_timing_change_alignment_changes_nothing(
    bounces: tuple[Path, Path, tuple[float, float]], tmp_path: Path,  # noqa: F811
) -> None:
    before, now, _ = bounces
    alignment = align_files(before, now)
    assert alignment.shift_s([10.0, 30.0, 50.0]) < 0.5
    cache = AnalysisCache(tmp_path)
    aligned = compare_bounces(*measure_bounces(before, now, cache=cache))
    plain = compare_bounces(*measure_bounces(before, now, cache=cache, align=False))
    assert aligned.to_dict() == plain.to_dict() and aligned.notes == plain.notes
