"""The reference A/B loop: switch between the mix and level-matched references in one atomic step.

Every switch is one ``Daw.apply`` (one OSC bundle): the target is unmuted with its match gain while everything
else is muted, so there is no moment where both or neither sound. Tracks keep playing, so the play position is
kept. References can be aligned to the mix by an offset (by hand, or found by cross-correlation). A blind mode
picks a source at random, hides it, and scores the listener's guess.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..config import Config, default_data_dir
from ..daw import Daw
from ..errors import InvalidAudio, InvalidParameter
from .roles import MIX, ABState, Roles, audible_changes, find_roles, load_ab_state, save_ab_state

#: Longest offset searched by automatic alignment (s).
MAX_ALIGN_S = 10.0
#: Sample rate the alignment search runs at (Hz): enough for onsets, cheap to correlate.
ALIGN_RATE = 4000


@dataclass(frozen=True)
class Switch:
    """Outcome of an A/B operation: what is audible now and at which gain (dB, None for the mix)."""

    current: str
    gain_db: float | None
    matched: bool
    references: tuple[str, ...]


class ABLoop:
    """Level-matched A/B over a :class:`~daw_bridge.daw.Daw`, with the state stored in the project."""

    def __init__(self, daw: Daw, cfg: Config) -> None:
        self.daw = daw
        self.cfg = cfg
        self.roles: Roles = find_roles(daw, cfg)

    def state(self) -> ABState:
        return load_ab_state(self.daw, self.roles)

    def select(self, target: str | int) -> Switch:
        """Make ``target`` audible: ``"mix"``, a reference name, or a 1-based reference number."""
        state = self.state()
        name = self._resolve(target)
        self.daw.apply(audible_changes(state, name))
        last = name if name != MIX else state.last_reference
        new = replace(state, current=name, last_reference=last)
        save_ab_state(self.daw, new)
        return self._switch(new)

    def toggle(self) -> Switch:
        """Mix -> the current (last used) reference -> mix."""
        state = self.state()
        if state.current == MIX:
            return self.select(state.last_reference or state.references[0])
        return self.select(MIX)

    def next_reference(self) -> Switch:
        """Cycle to the next reference (from the mix: the one after the last used)."""
        state = self.state()
        refs = state.references
        anchor = state.current if state.current != MIX else state.last_reference
        index = (refs.index(anchor) + 1) % len(refs) if anchor in refs else 0
        return self.select(refs[index])

    def loop(self, start_s: float, end_s: float) -> None:
        """Loop ``start_s``..``end_s`` (s) with repeat on: every source plays the same section."""
        if not 0 <= start_s < end_s:
            raise InvalidParameter(f"loop {start_s}..{end_s} s: start must be >= 0 and before the end")
        self.daw.set_loop(start_s, end_s, repeat=True)

    def set_offset(self, reference: str | int, offset_s: float) -> ABState:
        """Align a reference: ``offset_s`` is how much later its material comes than the mix's (s), as
        :func:`find_offset` measures it; the reference's audio is moved earlier by that much in the DAW."""
        name = self._resolve(reference)
        if name == MIX:
            raise InvalidParameter("the mix has no offset; give a reference")
        if not abs(offset_s) <= MAX_ALIGN_S:
            raise InvalidParameter(f"offset {offset_s} s is beyond +-{MAX_ALIGN_S:g} s: check the reference")
        self.daw.align_reference(name, -float(offset_s))
        state = self.state()
        new = replace(state, offsets_s={**state.offsets_s, name: float(offset_s)})
        save_ab_state(self.daw, new)
        return new

    def _resolve(self, target: str | int) -> str:
        refs = self.roles.references
        if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
            n = int(target)
            if not 1 <= n <= len(refs):
                raise InvalidParameter(f"reference {n} does not exist: there are {len(refs)} ({', '.join(refs)})")
            return refs[n - 1]
        if target.lower() == MIX:
            return MIX
        for ref in refs:
            if ref.lower() == target.lower():
                return ref
        raise InvalidParameter(f"{target!r} is neither 'mix' nor a reference ({', '.join(refs)})")

    @staticmethod
    def _switch(state: ABState) -> Switch:
        gain = state.gains_db.get(state.current) if state.current != MIX else None
        matched = state.current == MIX or state.current in state.gains_db
        return Switch(state.current, gain, matched, state.references)


def find_offset(mix: np.ndarray, reference: np.ndarray, rate: int, *, max_offset_s: float = MAX_ALIGN_S) -> float:
    """Offset (s) that best aligns ``reference`` to ``mix`` by cross-correlating their onset envelopes.

    Positive: the reference's material comes later than the mix's. Both arrays are (frames, channels) at ``rate``.
    """
    if len(mix) < rate // 10 or len(reference) < rate // 10:
        raise InvalidAudio("alignment needs at least 0.1 s of audio on both sides")
    from scipy import signal  # on first use: the A/B commands that never align start faster

    a = _onset_envelope(mix, rate)
    b = _onset_envelope(reference, rate)
    corr = signal.correlate(b, a, mode="full", method="fft")
    lags = signal.correlation_lags(len(b), len(a), mode="full")
    limit = int(max_offset_s * ALIGN_RATE)
    keep = np.abs(lags) <= limit
    best = int(lags[keep][np.argmax(corr[keep])])
    return best / ALIGN_RATE


def _onset_envelope(audio: np.ndarray, rate: int) -> np.ndarray:
    from scipy import signal

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    g = np.gcd(int(rate), ALIGN_RATE)
    low = signal.resample_poly(mono, ALIGN_RATE // g, int(rate) // g)
    env = np.abs(signal.hilbert(low)) if len(low) < 2**20 else np.abs(low)
    diff = np.diff(env, prepend=env[:1])
    onset = np.maximum(diff, 0.0)
    return onset - onset.mean()


@dataclass
class BlindScore:
    """Blind-test score kept in the user's data dir: rounds played and correct guesses."""

    rounds: int = 0
    correct: int = 0
    pending: str | None = None
    history: list[dict[str, str | bool]] = field(default_factory=list)


class BlindTest:
    """Pick a source at random, hide it, and reveal after the listener's guess."""

    def __init__(self, loop: ABLoop, *, path: Path | None = None, rng: random.Random | None = None) -> None:
        self.loop = loop
        self.path = path or default_data_dir() / "blind-score.json"
        self.rng = rng or random.SystemRandom()

    def load(self) -> BlindScore:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return BlindScore(
                rounds=int(data.get("rounds", 0)),
                correct=int(data.get("correct", 0)),
                pending=data.get("pending"),
                history=list(data.get("history", []))[-100:],
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return BlindScore()

    def _save(self, score: BlindScore) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(score.__dict__), encoding="utf-8")
        tmp.replace(self.path)

    def start(self) -> int:
        """Switch to a hidden random source; returns how many candidates there were."""
        candidates = [MIX, *self.loop.roles.references]
        choice = self.rng.choice(candidates)
        self.loop.select(choice)
        score = self.load()
        score.pending = choice
        self._save(score)
        return len(candidates)

    def guess(self, guess: str | int) -> tuple[bool, str, BlindScore]:
        """Score ``guess`` (``mix``, a reference name or number); returns (right, what it was, score)."""
        score = self.load()
        if score.pending is None:
            raise InvalidParameter("no blind round is running: start one with `daw-bridge ab blind`")
        answer = score.pending
        right = self.loop._resolve(guess) == answer
        score.rounds += 1
        score.correct += int(right)
        score.history.append({"answer": answer, "guess": str(guess), "right": right})
        score.pending = None
        self._save(score)
        return right, answer, score
