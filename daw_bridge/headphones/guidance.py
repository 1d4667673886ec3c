"""Role guidance: what the seed articles say, briefly, once per session, and never when turned off.

Other code calls :func:`guidance_for` with an event and the headphone model::

    for line in guidance_for("preset_applied", "Sony MDR-7506", {"purpose": "mastering"}):
        click.echo(f"Note: {line}", err=True)

Rules (:func:`candidate_guidance`) are pure. Which messages were shown lives in a small JSON file in the user's
state dir (``guidance.json``) with a session key: ``$DAW_BRIDGE_SESSION`` if set, else the parent process (the
shell) id; a session also ends after :data:`SESSION_IDLE_S` without guidance. ``$DAW_BRIDGE_GUIDANCE=off`` or
``daw-bridge headphones guidance off`` (stored in the same file) turns it off.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from ..config import APP_NAME
from ..errors import InvalidParameter
from .facts import HeadphoneFacts, get_facts, load_headphone_facts

GUIDANCE_ENV = "DAW_BRIDGE_GUIDANCE"
SESSION_ENV = "DAW_BRIDGE_SESSION"
STATE_DIR_ENV = "DAW_BRIDGE_STATE_DIR"
#: A session ends after this long without any guidance call (s).
SESSION_IDLE_S = 6 * 3600.0
#: Events the rules know.
EVENTS = ("preset_applied", "drive_check", "level_check", "decision")
PURPOSES = ("tracking", "mixing", "mastering")
_OFF_VALUES = ("0", "off", "false", "no")


@dataclass(frozen=True)
class Guidance:
    """One message; ``key`` identifies it for once-per-session de-duplication."""

    key: str
    text: str


def candidate_guidance(
    event: str, facts: HeadphoneFacts | None, context: Mapping[str, Any] | None = None
) -> list[Guidance]:
    """Every message the seed articles' advice gives for ``event`` on this headphone (no session filtering).

    ``context`` keys: ``purpose`` ("tracking" | "mixing" | "mastering"), ``crossfeed`` (bool, on/off).
    """
    if event not in EVENTS:
        raise InvalidParameter(f"guidance event {event!r} is not one of {', '.join(EVENTS)}")
    ctx = dict(context or {})
    purpose = ctx.get("purpose")
    if purpose is not None and purpose not in PURPOSES:
        raise InvalidParameter(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    out: list[Guidance] = []
    if facts is not None:
        model, design = facts.model, facts.design
        if design == "closed-back" and purpose in ("mixing", "mastering"):
            out.append(Guidance(
                f"closed-for-{purpose}:{model}",
                f"{model} is a closed-back tracking headphone (isolation, no bleed). The seed articles keep "
                f"closed-backs for tracking: confirm {purpose} decisions on an open-back or on speakers.",
            ))
        elif purpose == "mastering" and facts.role != "mastering":
            refs = ", ".join(_mastering_models()) or "a high-resolution open-back"
            out.append(Guidance(
                f"mixing-for-mastering:{model}",
                f"{model} is a {facts.role} headphone; for mastering-level decisions the seed articles use a "
                f"high-resolution open-back ({refs}) or speakers.",
            ))
        if design != "closed-back" and purpose == "tracking":
            out.append(Guidance(
                f"open-for-tracking:{model}",
                f"{model} is {design}: it leaks into nearby microphones. Track with a closed-back.",
            ))
        if design != "closed-back" and purpose in (None, "mixing") and ctx.get("crossfeed") is not True:
            if event in ("preset_applied", "decision"):
                out.append(Guidance(
                    "crossfeed-for-open-back",
                    "Mixing on open-backs: crossfeed (700 Hz / 4.5 dB) makes panning and width read closer to "
                    "speakers. Compensate its ~1-2 dB level change when A/B-ing.",
                ))
    if event in ("preset_applied", "level_check"):
        out.append(Guidance(
            "steady-level",
            "Keep a steady, moderate level (about 75 dB SPL average) and the same perceived level when switching "
            "between headphones and speakers (equal-loudness, Fletcher-Munson): see `daw-bridge level`.",
        ))
    return out


def _mastering_models() -> list[str]:
    names: list[str] = []
    for facts in load_headphone_facts().values():
        if facts.role == "mastering" and not any(facts.model.startswith(name) for name in names):
            names.append(facts.model)
    return names


def default_state_dir() -> Path:
    """``$DAW_BRIDGE_STATE_DIR`` or the platform's user state dir for daw-bridge."""
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override).expanduser() if override else Path(platformdirs.user_state_dir(APP_NAME))


def default_session_key() -> str:
    """``$DAW_BRIDGE_SESSION`` or the parent process id (the shell the commands run from)."""
    return os.environ.get(SESSION_ENV) or f"ppid-{os.getppid()}"


class GuidanceStore:
    """The ``guidance.json`` state: enabled flag, session key, time of last use, keys already shown."""

    def __init__(
        self, path: Path | None = None, *, session: str | None = None, now: Callable[[], float] = time.time
    ) -> None:
        self.path = path if path is not None else default_state_dir() / "guidance.json"
        self.session = session if session is not None else default_session_key()
        self._now = now

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged state is disposable: start afresh
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    @property
    def enabled(self) -> bool:
        """False when ``$DAW_BRIDGE_GUIDANCE`` is off or the stored switch is off."""
        if os.environ.get(GUIDANCE_ENV, "").strip().lower() in _OFF_VALUES:
            return False
        return bool(self._read().get("enabled", True))

    def set_enabled(self, enabled: bool) -> None:
        """Store the on/off switch (the environment variable still wins)."""
        data = self._read()
        data["enabled"] = bool(enabled)
        self._write(data)

    def reset(self) -> None:
        """Forget what was shown (the next call starts a fresh session)."""
        data = self._read()
        data.pop("shown", None)
        data.pop("session", None)
        self._write(data)

    def take_unseen(self, candidates: list[Guidance]) -> list[str]:
        """Texts of ``candidates`` not yet shown this session; marks them shown."""
        if not candidates or not self.enabled:
            return []
        data = self._read()
        now = self._now()
        last = data.get("last_used", 0.0)
        fresh = data.get("session") != self.session or not isinstance(last, int | float) or now - last > SESSION_IDLE_S
        shown = [] if fresh else [k for k in data.get("shown", []) if isinstance(k, str)]
        out = []
        for item in candidates:
            if item.key not in shown:
                shown.append(item.key)
                out.append(item.text)
        data.update(session=self.session, last_used=now, shown=shown)
        self._write(data)
        return out


def guidance_for(
    event: str,
    model: str | None,
    context: Mapping[str, Any] | None = None,
    *,
    store: GuidanceStore | None = None,
) -> list[str]:
    """Messages to show now for ``event`` on ``model`` (unknown models get only the general advice).

    Each message appears once per session; an empty list when guidance is off.
    """
    store = store if store is not None else GuidanceStore()
    if not store.enabled:
        return []
    facts = None
    if model:
        try:
            facts = get_facts(model)
        except InvalidParameter:
            facts = None
    return store.take_unseen(candidate_guidance(event, facts, context))


__all__ = ["Guidance", "GuidanceStore", "candidate_guidance", "guidance_for", "EVENTS", "PURPOSES"]
