"""Pattern statistics on synthetic journals with known truth, the exact tests, measurement agreement and advice."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from daw_bridge.journal.measured import band_deviation_db, subject_deviation_db
from daw_bridge.journal.patterns import Pattern, check_offsets, find_patterns
from daw_bridge.journal.schema import ASPECTS
from daw_bridge.journal.stats import fisher_exact, sign_test
from daw_bridge.journal.store import Note

_BASE = Note(id=0, session_id=0, model="AKG K701", preset="", correction=False, crossfeed="", amp="",
             reference_id=None, title="", artist="", file_hash=None, aspect="bass", band=None, direction=0,
             strength=2, position_s=None, text="", created_at="2026-01-01T00:00:00Z",
             started_at="2026-01-01T00:00:00Z")
_IDS = iter(range(1, 10**9))


def note(song: int, aspect: str, direction: int, *, strength: int = 2, band: str | None = None,
         model: str = "AKG K701", corrected: bool = False, day: int = 1) -> Note:
    """A note on song ``song`` (songs are told apart by reference id), taken on ``day`` of 2026."""
    n = next(_IDS)
    stamp = f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}T10:00:{n % 60:02d}Z"
    return replace(_BASE, id=n, session_id=song, reference_id=song, title=f"Song {song}", aspect=aspect,
                   band=band, direction=direction, strength=strength, model=model, correction=corrected,
                   created_at=stamp, started_at=stamp)


def only(patterns: Sequence[Pattern], subject: str) -> Pattern:
    found = [p for p in patterns if p.subject == subject]
    assert len(found) == 1, [p.subject for p in patterns]
    return found[0]


def test_sign_test_matches_the_binomial_by_hand() -> None:
    assert sign_test(8, 0) == pytest.approx(2 / 256)
    assert sign_test(7, 1) == pytest.approx(2 * 9 / 256)  # 0.0703
    assert sign_test(7, 0) == pytest.approx(2 / 128)
    assert sign_test(4, 4) == 1.0 and sign_test(0, 0) == 1.0
    assert sign_test(1, 9) == sign_test(9, 1)


def test_fisher_exact_matches_known_tables() -> None:
    # [[3, 1], [1, 3]]: R's fisher.test gives p = 0.4857; [[8, 2], [1, 5]] gives 0.03497
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.485714, abs=1e-6)
    assert fisher_exact(8, 2, 1, 5) == pytest.approx(0.034965, abs=1e-6)
    assert fisher_exact(0, 0, 0, 0) == 1.0


def test_a_consistent_bias_across_8_songs_is_a_pattern() -> None:
    rng = random.Random(7)
    notes = [note(song, "bass", 1 if song != 3 else 0, strength=2) for song in range(8)]  # 7 more, 1 as expected
    for aspect in ("mids", "highs", "ambience"):  # no bias: as many less as more, in random order
        votes = [-1, -1, -1, 0, 0, 1, 1, 1]
        rng.shuffle(votes)
        notes += [note(song, aspect, v) for song, v in enumerate(votes)]
    patterns = find_patterns(notes)
    bass = only(patterns, "bass")
    assert (bass.status, bass.direction, bass.more, bass.less, bass.same) == ("pattern", 1, 7, 0, 1)
    assert bass.p_value == pytest.approx(2 / 128, abs=1e-4)
    assert bass.summary == "bass heard stronger than expected in 7 of 8 songs"
    assert "mix the bass so it sounds a little heavy to you on these" in bass.advice
    assert [p.subject for p in patterns if p.status == "pattern"] == ["bass"]


def test_one_song_noted_many_times_is_one_vote_not_a_pattern() -> None:
    notes = [note(1, "highs", 1, strength=3) for _ in range(12)] + [note(s, "highs", 0) for s in range(2, 4)]
    highs = only(find_patterns(notes), "highs")
    assert (highs.references, highs.more, highs.status) == (3, 1, "none")


def test_seven_more_and_one_less_is_only_leaning() -> None:
    notes = [note(s, "highs", 1 if s else -1) for s in range(8)]
    highs = only(find_patterns(notes), "highs")
    assert highs.status == "leaning" and highs.p_value == pytest.approx(0.0703, abs=1e-4)
    assert highs.advice == "" and highs.check_offset == {}


def _random_journal(rng: random.Random, songs: int = 8) -> list[Note]:
    return [note(s, aspect, rng.choice((-1, 0, 1)), strength=rng.choice((1, 2, 3)))
            for s in range(songs) for aspect in ASPECTS]


def test_random_notes_are_not_called_patterns() -> None:
    rng = random.Random(2026)
    journals = 300
    called = [p for _ in range(journals) for p in find_patterns(_random_journal(rng)) if p.status == "pattern"]
    rate = len(called) / (journals * len(ASPECTS))
    # by hand: all non-neutral votes one way with >= 6 of 8 songs is 2 * (28 + 8 + 1) / 3**8 = 1.1 %
    assert rate < 0.02, f"{rate:.2%} of random subjects called a pattern"
    leaning = [p for _ in range(50) for p in find_patterns(_random_journal(rng)) if p.status != "none"]
    assert all(not p.advice and not p.check_offset for p in leaning if p.status == "leaning")


def test_a_real_but_noisy_bias_is_found_most_of_the_time() -> None:
    rng = random.Random(99)
    found = 0
    for _ in range(200):
        notes = [note(s, "bass", 1 if rng.random() < 0.9 else rng.choice((0, -1))) for s in range(8)]
        found += only(find_patterns(notes), "bass").status == "pattern"
    # exact power of the rule for 8 songs heard "more" 90 % of the time: 0.659 (sum over the trinomial outcomes)
    assert 0.55 < found / 200 < 0.77


def test_bands_are_their_own_subjects() -> None:
    notes = [note(s, "bass", -1, band="sub") for s in range(6)] + [note(s, "bass", 0) for s in range(6)]
    patterns = find_patterns(notes)
    assert only(patterns, "sub band").status == "pattern" and only(patterns, "sub band").direction == -1
    assert only(patterns, "bass").status == "none"
    assert "mix the sub band so it sounds a little light to you" in only(patterns, "sub band").advice


def test_notes_are_checked_against_the_measurement() -> None:
    deviation = band_deviation_db("Beyerdynamic DT 990 Pro")
    assert deviation is not None and deviation["highs"] > 3.0  # the DT 990's treble peak, from the AutoEq preset
    model = "Beyerdynamic DT 990 Pro"
    agree = find_patterns([note(s, "highs", 1, band="highs", model=model) for s in range(7)])[0]
    assert agree.agreement == "agrees" and agree.measured_db == deviation["highs"]
    assert agree.measurement.startswith(f"{model} measures +{deviation['highs']:.1f} dB vs target at 10000-20000 Hz")
    assert agree.measurement.endswith("your notes agree")
    disagree = find_patterns([note(s, "highs", -1, band="highs", model=model) for s in range(7)])[0]
    assert disagree.agreement == "disagrees" and disagree.measurement.endswith("your notes disagree")
    corrected = find_patterns([note(s, "highs", 1, band="highs", model=model, corrected=True) for s in range(7)])[0]
    assert corrected.agreement == "n/a" and "correction on" in corrected.measurement
    unknown = find_patterns([note(s, "highs", 1, model="Homemade cans") for s in range(7)])[0]
    assert unknown.measured_db is None and unknown.agreement == "n/a"
    assert subject_deviation_db(deviation, "ambience", None) is None


def test_confirmed_patterns_become_bounce_and_check_offsets() -> None:
    model = "Beyerdynamic DT 990 Pro"
    notes = ([note(s, "highs", 1, band="highs", model=model) for s in range(7)]
             + [note(s, "ambience", 1, strength=3, model=model) for s in range(7)]
             + [note(s, "bass", 1, model=model) for s in range(7)])
    offsets = check_offsets(find_patterns(notes))[model]
    deviation = band_deviation_db(model)
    assert deviation is not None
    # bright cans make dull mixes: the highs offset is minus the measured excess of the check's highs figure
    # (5-20 kHz over 300 Hz-3 kHz); wet-sounding cans make dry mixes (no measurement: 0.5 dB per unit of strength)
    excess = (deviation["low-highs"] + deviation["highs"]) / 2 - (deviation["low-mid"] + deviation["mid"]) / 2
    assert excess > 3.0
    assert offsets == {"highs_db": -round(excess, 1), "reverb_db": -1.5}


def test_what_changed_over_time() -> None:
    notes = ([note(s, "bass", 1, day=s + 1) for s in range(5)]
             + [note(s, "bass", -1, day=s + 1) for s in range(5, 10)])
    bass = only(find_patterns(notes), "bass")
    assert bass.change is not None and bass.change.changed
    assert bass.change.earlier == (5, 0, 0) and bass.change.later == (0, 5, 0)
    steady = only(find_patterns([note(s, "bass", 1, day=s + 1) for s in range(10)]), "bass")
    assert steady.change is not None and not steady.change.changed
