"""What to change for each finding, in a mixer's terms: the move, where, by about how much, and how sure.

A finding's ``value`` is the mix minus the references (dB, LU for level); the change that closes it is
``-value``. How far that figure can be trusted comes from the measured accuracy (docs/accuracy.md):

* reverb: the ambience estimate reads a send change at full size on sparse synthetic material (error <= 1.26 dB,
  target ±1.5 dB) but at about half size on dense real recordings (+6 dB send read +2.6..+3.6 dB). The send change
  needed is therefore given as a range, 1x to about 2x the finding (on real recordings the finding is a lower
  bound).
* width: side/mid reads pan and decorrelation to <= 0.07 dB (target ±0.5 dB); raising the side signal by x dB
  raises side/mid by x dB.
* highs: the 5-20 kHz / 300 Hz-3 kHz ratio follows shelves and peaks to <= 0.01 dB (target ±0.3 dB); a high
  shelf from about 5 kHz moves it about 1:1.
* level: BS.1770 integrated loudness, ±0.1 LU.

The "why" sentences are worded for someone mixing on headphones, which exaggerate reverb, width and highs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.compare import Finding

#: Why a deviation happens on headphones: (mix has less, mix has more).
ADVICE: dict[str, tuple[str, str]] = {
    "reverb": (
        "Drier than the references: headphones exaggerate reverb, so what sounds right on them is too dry on "
        "speakers.",
        "Wetter than the references: unusual for a headphone mix; check the sends in this section.",
    ),
    "width": (
        "Narrower than the references: headphones exaggerate width, so panning tends to end up too narrow.",
        "Wider than the references: check mono compatibility and keep the low end centred.",
    ),
    "highs": (
        "Duller than the references: headphones exaggerate highs (they sound nearer), so vocals and cymbals end "
        "up too dark on speakers.",
        "Brighter than the references: check for harshness on speakers.",
    ),
    "level": (
        "Quieter than the references (whole song, renders without the monitoring chain).",
        "Louder than the references (whole song, renders without the monitoring chain).",
    ),
    "dynamics": (
        "More compressed than the references' comparable sections (lower peak-to-loudness ratio): headphones "
        "hide how squashed a bus sounds on speakers.",
        "",
    ),
}

#: Measurement uncertainty per area (dB, LU for level), from docs/accuracy.md.
UNCERTAINTY_DB = {"reverb": 1.5, "width": 0.5, "highs": 0.3, "level": 0.1, "dynamics": 0.5}
#: On dense real recordings the reverb estimate reads a send change at about this fraction of its size.
REVERB_READ_FRACTION = 0.5


@dataclass(frozen=True)
class Advice:
    """The change for one finding: ``amount_db`` (signed; ``low_db``..``high_db`` the plausible range, equal
    to it where the reading is taken at face value) ± ``uncertainty_db``, over ``start_s``-``end_s``.
    ``action`` is the sentence to act on, ``why`` the headphone-aware reason, ``unit`` dB or LU."""

    area: str
    start_s: float
    end_s: float
    amount_db: float
    low_db: float
    high_db: float
    uncertainty_db: float
    unit: str
    action: str
    why: str

    @property
    def text(self) -> str:
        """Action and reason in one paragraph."""
        return f"{self.action} {self.why}"


def _db(value: float, unit: str = "dB") -> str:
    return f"{value:+.1f} {unit}"


def advise(finding: Finding, alongside: Sequence[Finding] = ()) -> Advice:
    """The change that closes ``finding``; ``alongside`` (the other findings) adds a note where one deviation
    explains part of another (a drier stretch also reads narrower: reverb returns are wide)."""
    area, value = finding.area, finding.value
    change = -value
    where = f"in {finding.start_s:.1f}-{finding.end_s:.1f} s"
    unc = UNCERTAINTY_DB.get(area, 1.0)
    low = high = change
    unit = "LU" if area == "level" else "dB"
    if area == "reverb":
        high = change / REVERB_READ_FRACTION
        verb = "more" if change > 0 else "less"
        action = (
            f"About {_db(change)} {verb} send on the main reverb {where} (±{unc:.1f} dB where the estimate reads "
            f"send changes at full size; on dense recordings it reads them at about half size, so up to "
            f"{_db(high)} may be needed). Start with the smaller amount, bounce and check again."
        )
    elif area == "width":
        verb = "wider" if change > 0 else "narrower"
        action = (
            f"About {_db(change)} of side level {where} (±{unc:.1f} dB): pan the parts {verb}, or set an M/S "
            f"tool's side gain to {_db(change)}."
        )
        if any(o.area == "reverb" and (o.value < 0) == (value < 0) and _overlap(o, finding) for o in alongside):
            action += " Part of it is the reverb's own side energy: fix the reverb first, then check again."
    elif area == "highs":
        verb = "boost" if change > 0 else "cut"
        action = (
            f"About {_db(change)} above 5 kHz {where} (±{unc:.1f} dB): a high shelf {verb} from about 5 kHz on "
            f"the {'dull' if change > 0 else 'bright'} parts or the mix bus."
        )
    elif area == "level":
        action = (
            f"About {_db(change, 'dB')} on the master's output to deliver at the references' loudness "
            f"(±{unc:.1f} LU). For the A/B nothing to do: level matching already plays them at the mix's level."
        )
    elif area == "dynamics":
        action = (
            f"About {_db(change)} more peak-to-loudness ratio {where} (±{unc:.1f} dB): ease the bus compressor or "
            "limiter there (less gain reduction, or a slower attack that lets transients through)."
        )
    else:
        action = f"About {_db(change)} {where}."
    less, more = ADVICE.get(area, ("", ""))
    return Advice(area, finding.start_s, finding.end_s, change, min(low, high), max(low, high), unc, unit,
                  action, more if value > 0 else less)


def _overlap(a: Finding, b: Finding) -> bool:
    return a.start_s < b.end_s and b.start_s < a.end_s


def advice_for(finding: Finding, alongside: Sequence[Finding] = ()) -> str:
    """The advice for one finding as one paragraph (action, then why)."""
    return advise(finding, alongside).text


__all__ = ["ADVICE", "Advice", "REVERB_READ_FRACTION", "UNCERTAINTY_DB", "advice_for", "advise"]
