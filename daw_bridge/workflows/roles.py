"""Which track is the mix and which are references, and the A/B state stored in the project.

The A/B state lives in the project (``SetProjExtState(0, "daw_bridge", "ab_state", json)``, see
docs/bridge-protocol.md) so the in-DAW toggle script switches level-matched even when the controller is not running.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Config
from ..daw import Daw, TrackChange, TrackInfo
from ..errors import DawTimeout, DawUnreachable, TrackNotFound

AB_STATE_KEY = "ab_state"
MIX = "mix"


@dataclass(frozen=True)
class Roles:
    """The mix bus track and the reference tracks, by name, in project order."""

    mix: str
    references: tuple[str, ...]


def find_roles(daw: Daw, cfg: Config) -> Roles:
    """Resolve the mix track and the references from the config against the DAW's tracks.

    References are ``cfg.reference_tracks`` if given, else every track whose name starts with
    ``cfg.reference_prefix`` (case-insensitive). Raises TrackNotFound with the names that exist.

    A track missing from the mirror is confirmed against the DAW first (one re-sync): a DAW killed while it was
    sending its track list leaves the mirror empty, and "no mix track named 'MIX' (tracks: none)" would then
    point the user at their config. If the DAW does not answer the re-sync, the error says it stopped answering
    (:class:`~daw_bridge.errors.DawUnreachable`); if it does, the lookup runs again on fresh tracks.
    """
    try:
        return _find_roles(daw, cfg)
    except TrackNotFound as missing:
        try:
            daw.connect()
        except (DawUnreachable, DawTimeout) as exc:
            raise DawUnreachable(
                f"the DAW stopped answering: {exc} (the track lookup had found: {missing})"
            ) from exc
        return _find_roles(daw, cfg)


def _find_roles(daw: Daw, cfg: Config) -> Roles:
    tracks = daw.tracks()
    names = [t.name for t in tracks]
    mix = _by_name(tracks, cfg.mix_track)
    if mix is None:
        raise TrackNotFound(
            f"no mix track named {cfg.mix_track!r} (tracks: {', '.join(names) or 'none'}); "
            "set [tracks] mix in the config"
        )
    if cfg.reference_tracks:
        refs = []
        for name in cfg.reference_tracks:
            found = _by_name(tracks, name)
            if found is None:
                raise TrackNotFound(f"no reference track named {name!r} (tracks: {', '.join(names)})")
            refs.append(found.name)
    else:
        prefix = cfg.reference_prefix.lower()
        refs = [t.name for t in tracks if t.name.lower().startswith(prefix) and t.name != mix.name]
    if not refs:
        raise TrackNotFound(
            f"no reference tracks (none named with prefix {cfg.reference_prefix!r}; tracks: {', '.join(names)}); "
            "add a reference with `daw-bridge ab add FILE` or set [tracks] references"
        )
    return Roles(mix=mix.name, references=tuple(refs))


def _by_name(tracks: list[TrackInfo], name: str) -> TrackInfo | None:
    key = name.strip().lower()
    return next((t for t in tracks if t.name.strip().lower() == key), None)


@dataclass(frozen=True)
class ABState:
    """What is audible and the level-match gains, as stored in the project.

    ``current`` is ``"mix"`` or a reference track name; ``gains_db`` maps reference name -> track volume in dB that
    makes it sound as loud as the mix; ``offsets_s`` maps reference name -> alignment offset in seconds.
    """

    mix: str
    references: tuple[str, ...]
    current: str = MIX
    last_reference: str | None = None
    gains_db: dict[str, float] = field(default_factory=dict)
    offsets_s: dict[str, float] = field(default_factory=dict)
    mode: str | None = None
    mix_loudness: float | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "mix": self.mix,
            "references": list(self.references),
            "current": self.current,
            "selected": self.last_reference,  # the key the in-DAW toggle script reads (lib/ab.lua)
            "gains_db": self.gains_db,
            "offsets_s": self.offsets_s,
            "mode": self.mode,
            "mix_loudness": self.mix_loudness,
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None, roles: Roles) -> ABState:
        """Parse the stored state; anything missing or unreadable falls back to ``roles`` with no gains."""
        base = cls(mix=roles.mix, references=roles.references)
        if not text:
            return base
        try:
            data = json.loads(text)
        except ValueError:
            return base
        if not isinstance(data, dict):
            return base
        gains = {k: float(v) for k, v in (data.get("gains_db") or {}).items() if _is_number(v)}
        offsets = {k: float(v) for k, v in (data.get("offsets_s") or {}).items() if _is_number(v)}
        current = data.get("current") if data.get("current") in (MIX, *roles.references) else MIX
        selected = data.get("selected", data.get("last_reference"))
        last = selected if selected in roles.references else None
        mode = data.get("mode") if isinstance(data.get("mode"), str) else None
        loud = data.get("mix_loudness")
        return replace(
            base,
            current=str(current),
            last_reference=last,
            gains_db=gains,
            offsets_s=offsets,
            mode=mode,
            mix_loudness=float(loud) if isinstance(loud, int | float) and not isinstance(loud, bool) else None,
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_ab_state(daw: Daw, roles: Roles) -> ABState:
    """The A/B state stored in the project, reconciled with the current ``roles``."""
    return ABState.from_json(daw.get_project_state(AB_STATE_KEY), roles)


def save_ab_state(daw: Daw, state: ABState) -> None:
    """Store ``state`` in the project."""
    daw.set_project_state(AB_STATE_KEY, state.to_json())


def audible_changes(state: ABState, target: str) -> list[TrackChange]:
    """The track changes that make ``target`` (``"mix"`` or a reference name) the only thing audible.

    One list, sent as one bundle: every reference is muted except the target, the mix is muted unless it is the
    target, and a reference's level-match gain is applied with its unmute, so there is no moment where both or
    neither sound, and never an unmatched reference.
    """
    changes = [TrackChange(state.mix, mute=target != MIX)]
    for ref in state.references:
        audible = ref == target
        gain = state.gains_db.get(ref) if audible else None
        changes.append(TrackChange(ref, mute=not audible, volume_db=gain))
    return changes
