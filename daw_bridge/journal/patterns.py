"""Patterns: what a headphone does consistently across *different* references, tested so one-offs are not patterns.

For each headphone set-up (model, correction on/off) and subject (an aspect, or one of the seven bands when the note
names one), every reference casts one vote: the sign of the strength-weighted sum of its notes (``+`` heard more
than expected, ``-`` less, ``0`` as expected). Several notes on one song are one vote, so one song noted ten times
is still one song. The votes go through an exact two-sided sign test (:func:`~daw_bridge.journal.stats.sign_test`,
"as expected" votes left out):

* ``pattern``: ``p <= 0.05``, at least :data:`MIN_REFERENCES` songs, and the majority at least 60 % of all songs
  (so a few loud votes among many "as expected" do not count). With 8 songs that takes 7 "more" and 1
  "as expected", or 8 of 8; 7 more and 1 less is p = 0.07 and stays ``leaning``.
* ``leaning``: ``p <= 0.25`` with at least 3 songs on the majority side: worth listening for.
* ``none``: anything else. Under random notes a subject is called a pattern at most 5 % of the time (measured in
  the tests: well under that).

Change over time splits each subject's songs in order of first listening into an earlier and a later half and
compares their more/less counts with a Fisher exact test (``changed`` when ``p <= 0.05``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..bands import BAND_NAMES
from .measured import band_deviation_db, expected_direction, highs_ratio_deviation_db, subject_deviation_db
from .schema import ASPECTS
from .stats import fisher_exact, sign_test
from .store import Note

PATTERN_P = 0.05
LEANING_P = 0.25
MIN_REFERENCES = 5
MIN_MAJORITY_SHARE = 0.6
CHANGE_P = 0.05
#: Songs needed on each side before "what changed" is computed.
MIN_HALF = 3

#: How the method words a compensation, per subject: (more-than-expected word, less-than-expected word).
_WORDS: dict[str, tuple[str, str]] = {
    "bass": ("heavy", "light"), "mids": ("forward", "recessed"), "highs": ("bright", "dull"),
    "ambience": ("wet", "dry"), "stereo image": ("wide", "narrow"), "depth": ("close", "distant"),
    "overall level": ("loud", "quiet"),
}
#: Bounce-and-check areas a subject maps to (compare.Thresholds field names).
_CHECK_AREAS: dict[str, str] = {"highs": "highs_db", "ambience": "reverb_db", "stereo image": "width_db"}
#: Rough size of an impression when nothing is measured: dB per unit of mean strength (1 slight .. 3 strong).
ROUGH_DB_PER_STRENGTH = 0.5


@dataclass(frozen=True)
class Change:
    """Earlier vs later songs: (more, less, as expected) counts each, and the Fisher p-value."""

    earlier: tuple[int, int, int]
    later: tuple[int, int, int]
    p_value: float
    changed: bool


@dataclass(frozen=True)
class Pattern:
    """One subject on one headphone set-up."""

    headphones: str
    corrected: bool
    aspect: str
    band: str | None
    references: int
    more: int
    less: int
    same: int
    direction: int
    p_value: float
    status: str
    mean_strength: float
    summary: str
    measured_db: float | None = None
    measurement: str = ""
    agreement: str = "n/a"
    advice: str = ""
    check_offset: dict[str, float] = field(default_factory=dict)
    change: Change | None = None

    @property
    def subject(self) -> str:
        return f"{self.band} band" if self.band else self.aspect


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _votes(notes: Sequence[Note]) -> list[tuple[str, int, float]]:
    """(reference key, vote -1/0/+1, mean strength of its non-neutral notes) per reference, in order of first note."""
    by_ref: dict[str, list[Note]] = {}
    for n in notes:
        by_ref.setdefault(n.reference_key, []).append(n)
    out = []
    for key, group in by_ref.items():
        net = sum(n.direction * n.strength for n in group)
        strong = [n.strength for n in group if n.direction != 0]
        out.append((key, _sign(net), sum(strong) / len(strong) if strong else 0.0))
    return out


def _counts(votes: Sequence[tuple[str, int, float]]) -> tuple[int, int, int]:
    return (sum(v == 1 for _, v, _s in votes), sum(v == -1 for _, v, _s in votes), sum(v == 0 for _, v, _s in votes))


def _status(more: int, less: int, total: int) -> tuple[str, float, int]:
    p = sign_test(more, less)
    direction = _sign(more - less)
    majority = max(more, less)
    if direction and p <= PATTERN_P and total >= MIN_REFERENCES and majority >= MIN_MAJORITY_SHARE * total:
        return "pattern", p, direction
    if direction and p <= LEANING_P and majority >= 3:
        return "leaning", p, direction
    return "none", p, direction


def _summary(subject: str, more: int, less: int, total: int) -> str:
    songs = "song" if total == 1 else "songs"
    if more >= less and more:
        return f"{subject} heard stronger than expected in {more} of {total} {songs}"
    if less:
        return f"{subject} heard weaker than expected in {less} of {total} {songs}"
    return f"{subject} as expected in all {total} {songs}"


def _change(votes: Sequence[tuple[str, int, float]]) -> Change | None:
    if len(votes) < 2 * MIN_HALF:
        return None
    half = len(votes) // 2
    early, late = _counts(votes[:half]), _counts(votes[half:])
    p = fisher_exact(early[0], early[1], late[0], late[1])
    moved = _sign(early[0] - early[1]) != _sign(late[0] - late[1])
    return Change(early, late, p, p <= CHANGE_P and moved)


def _advice(model: str, aspect: str, band: str | None, direction: int, strength: float) -> str:
    more_word, less_word = _WORDS[aspect]
    word = more_word if direction > 0 else less_word
    how = "clearly" if strength >= 2.5 else "a little"
    subject = f"the {band} band" if band else f"the {aspect}"
    heard = "stronger" if direction > 0 else "weaker"
    return (f"Your {model} make {subject} sound {heard} than it is: mix {subject} so it sounds {how} {word} to you "
            "on these.")


def _check_offset(aspect: str, band: str | None, direction: int, strength: float,
                  deviation: dict[str, float] | None) -> dict[str, float]:
    """The bounce-and-check area this subject maps to and how far mixes made on these headphones should land from
    the references there: minus the measured deviation of that area's figure when it agrees in sign, else a rough
    size from the notes' strength."""
    if band is not None:
        area = _CHECK_AREAS["highs"] if band in BAND_NAMES[4:] else None
    else:
        area = _CHECK_AREAS.get(aspect)
    if area is None:
        return {}
    measured = highs_ratio_deviation_db(deviation) if deviation and area == "highs_db" else None
    if measured is not None and _sign(measured) == direction:
        size = abs(measured)
    else:
        size = ROUGH_DB_PER_STRENGTH * max(strength, 1.0)
    return {area: round(-direction * size, 1)}  # a headphone that exaggerates X makes mixes short of X


def _range_hz(aspect: str, band: str | None) -> str:
    """The frequencies a subject covers, as text ("100-300 Hz")."""
    from ..bands import band_by_name
    from .measured import ASPECT_BANDS

    names = (band,) if band else ASPECT_BANDS.get(aspect, ())
    if not names:
        return ""
    low, high = band_by_name(names[0]).low_hz, band_by_name(names[-1]).high_hz
    return f"{low:g}-{high:g} Hz"


def _measurement(model: str, corrected: bool, measured: float | None, direction: int,
                 status: str, where: str = "") -> tuple[str, str]:
    if measured is None:
        return "", "n/a"
    if corrected:
        return "with the correction on, the measured response is brought to the target", "n/a"
    text = f"{model} measures {measured:+.1f} dB vs target" + (f" at {where}" if where else "")
    expected = expected_direction(measured)
    if status == "none":
        return text + ("; your notes show no pattern yet" if expected else ""), "no pattern"
    if expected == direction:
        return text + "; your notes agree", "agrees"
    if expected == 0:
        return text + " (close to target); your notes hear a difference the measurement does not show", "disagrees"
    return text + "; your notes disagree", "disagrees"


def find_patterns(notes: Sequence[Note], *, base: Path | None = None) -> list[Pattern]:
    """Every (headphone set-up, subject) with notes on it, in model / aspect / band order."""
    groups: dict[tuple[str, bool, str, str | None], list[Note]] = {}
    for n in notes:
        groups.setdefault((n.model, n.correction, n.aspect if n.band is None else "", n.band), []).append(n)
    deviations: dict[str, dict[str, float] | None] = {}
    out: list[Pattern] = []
    for (model, corrected, aspect_key, band), group in groups.items():
        aspect = aspect_key or group[0].aspect
        votes = _votes(group)
        more, less, same = _counts(votes)
        total = len(votes)
        status, p, direction = _status(more, less, total)
        strengths = [s for _, v, s in votes if v == direction and v != 0]
        strength = round(sum(strengths) / len(strengths), 2) if strengths else 0.0
        if model not in deviations:
            deviations[model] = band_deviation_db(model, base=base)
        dev = deviations[model]
        measured = subject_deviation_db(dev, aspect, band) if dev else None
        text, agreement = _measurement(model, corrected, measured, direction, status, _range_hz(aspect, band))
        subject = f"{band} band" if band else aspect
        confirmed = status == "pattern"
        out.append(Pattern(
            headphones=model, corrected=corrected, aspect=aspect, band=band, references=total, more=more,
            less=less, same=same, direction=direction, p_value=round(p, 4), status=status, mean_strength=strength,
            summary=_summary(subject, more, less, total), measured_db=None if corrected else measured,
            measurement=text, agreement=agreement,
            advice=_advice(model, aspect, band, direction, strength) if confirmed else "",
            check_offset=_check_offset(aspect, band, direction, strength, None if corrected else dev)
            if confirmed else {},
            change=_change(votes),
        ))
    order = {a: i for i, a in enumerate(ASPECTS)}
    return sorted(out, key=lambda p: (p.headphones.lower(), p.corrected, order[p.aspect],
                                      -1 if p.band is None else BAND_NAMES.index(p.band)))


def check_offsets(patterns: Sequence[Pattern]) -> dict[str, dict[str, float]]:
    """Per headphone (``model`` or ``model (corrected)``): bounce-and-check offsets from confirmed patterns.

    An offset is how far (dB) mixes made on these headphones are expected to sit from the references in that area
    (negative: short of them); read a finding of that size and sign as possibly your headphones. Several subjects
    mapping to one area are averaged.
    """
    sums: dict[str, dict[str, list[float]]] = {}
    for p in patterns:
        label = p.headphones + (" (corrected)" if p.corrected else "")
        for area, value in p.check_offset.items():
            sums.setdefault(label, {}).setdefault(area, []).append(value)
    return {label: {a: round(sum(v) / len(v), 1) for a, v in areas.items()} for label, areas in sums.items()}
