"""REAPER's ``.ReaperOSC`` pattern-file grammar: parse a file, build and match every address from it.

The grammar (REAPER's own, see ``Default.ReaperOSC``):

* ``#`` starts a comment; blank lines are ignored.
* A *settings line* is ``KEY VALUE`` (``DEVICE_TRACK_COUNT 8``, ``DEVICE_EQ INSERT``, ``REAPER_TRACK_FOLLOWS REAPER``).
* An *action line* is ``ACTION_NAME pattern [pattern ...]``; an action may span several lines.
  Each pattern is a one-letter type flag glued to an address: ``n`` normalized 0..1, ``f`` raw float,
  ``b`` binary 0/1, ``t`` trigger/toggle, ``r`` rotary, ``s`` string, ``i`` integer.
* ``@`` in an address is a wildcard for the target: a 1-based integer, a comma list (``1,2,5``) addressing
  several targets in one message, or (REAPER 6.19+) a named command id such as ``_RS7d3c...`` for actions.

Nothing here knows a hand-written address: :meth:`PatternSet.address` builds ``/track/3/volume/db`` from
``("TRACK_VOLUME", "f", 3)`` and :meth:`PatternSet.match` routes an incoming address back to its action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import shipped
from ..errors import AddressError, PatternFileError

#: Type flags of the grammar, with their meaning.
TYPE_FLAGS: dict[str, str] = {
    "n": "normalized float 0..1",
    "f": "raw float (seconds, dB, Hz, bpm)",
    "b": "binary 0/1",
    "t": "trigger or toggle (no argument, or 1)",
    "r": "rotary (relative to DEVICE_ROTARY_CENTER, never sent back)",
    "s": "string",
    "i": "integer",
}

WILDCARD = "@"

_PATTERN_TOKEN = re.compile(r"^([nfbtrsi])(/\S*)$")
_KEY = re.compile(r"^[A-Z][A-Z0-9_+\-]*$")
# Targets are at most 9 ASCII digits (REAPER's indices are int32): longer ones are no index, and int() on a
# 5,000-digit segment raised ValueError out of matching (issue 17). Lists hold at most 256 numbers.
_TARGET_INT = re.compile(r"^[0-9]{1,9}$")
_TARGET_LIST = re.compile(r"^[0-9]{1,9}(,[0-9]{1,9}){1,255}$")
_TARGET_NAMED = re.compile(r"^_[A-Za-z0-9_]+$")

Target = int | str | tuple[int, ...]


@dataclass(frozen=True)
class Pattern:
    """One pattern of an action line: ``flag`` + ``template`` (e.g. ``f`` + ``/track/@/volume/db``)."""

    action: str
    flag: str
    template: str
    line: int = 0

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/")) if self.template != "/" else ()

    @property
    def wildcards(self) -> int:
        """How many ``@`` targets the pattern takes."""
        return sum(1 for s in self.segments if s == WILDCARD)

    def build(self, *targets: Target) -> str:
        """The concrete address for ``targets`` (one per ``@``, in order)."""
        if len(targets) != self.wildcards:
            raise AddressError(
                f"{self.action} pattern {self.flag}{self.template} takes {self.wildcards} target(s), "
                f"got {len(targets)}"
            )
        parts: list[str] = []
        it = iter(targets)
        for seg in self.segments:
            if seg == WILDCARD:
                parts.append(_format_target(next(it), self))
            else:
                parts.append(seg)
        return "/" + "/".join(parts)

    def match(self, address: str) -> tuple[Target, ...] | None:
        """Targets if ``address`` is an instance of this pattern, else None."""
        segs = address.strip("/").split("/")
        mine = self.segments
        if len(segs) != len(mine):
            return None
        targets: list[Target] = []
        for seg, tmpl in zip(segs, mine, strict=True):
            if tmpl == WILDCARD:
                target = _parse_target(seg)
                if target is None:
                    return None
                targets.append(target)
            elif seg != tmpl:
                return None
        return tuple(targets)


def _format_target(target: Target, pattern: Pattern) -> str:
    if isinstance(target, bool):
        raise AddressError(f"target {target!r} for {pattern.template} is not an index")
    if isinstance(target, int):
        if target < 0:
            raise AddressError(f"target {target} for {pattern.template} is negative")
        return str(target)
    if isinstance(target, tuple):
        if not target or any(isinstance(t, bool) or not isinstance(t, int) or t < 0 for t in target):
            raise AddressError(f"target list {target!r} for {pattern.template} must be non-negative ints")
        return ",".join(str(t) for t in target)
    if isinstance(target, str) and _TARGET_NAMED.match(target):
        return target
    raise AddressError(f"target {target!r} for {pattern.template} is neither an index nor a _named id")


def _parse_target(segment: str) -> Target | None:
    if _TARGET_INT.match(segment):
        return int(segment)
    if _TARGET_LIST.match(segment):
        return tuple(int(x) for x in segment.split(","))
    if _TARGET_NAMED.match(segment):
        return segment
    return None


@dataclass(frozen=True)
class Match:
    """An incoming address routed to a pattern, with its decoded targets."""

    pattern: Pattern
    targets: tuple[Target, ...]

    @property
    def action(self) -> str:
        return self.pattern.action

    @property
    def flag(self) -> str:
        return self.pattern.flag


@dataclass
class PatternSet:
    """A parsed pattern file: settings plus every action's patterns, in file order."""

    patterns: list[Pattern] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    source: str = "<text>"

    def __post_init__(self) -> None:
        self._index_patterns()

    def _index_patterns(self) -> None:
        self._by_action: dict[str, list[Pattern]] = {}
        self._by_shape: dict[tuple[int, str], list[Pattern]] = {}
        for p in self.patterns:
            self._by_action.setdefault(p.action, []).append(p)
            segs = p.segments
            first = segs[0] if segs else ""
            self._by_shape.setdefault((len(segs), first), []).append(p)

    # ---- loading -------------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> PatternSet:
        """Parse the pattern file at ``path`` (errors name ``path:line``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8", errors="strict")
        except FileNotFoundError as exc:
            raise PatternFileError(f"{path}: pattern file not found") from exc
        except UnicodeDecodeError as exc:
            raise PatternFileError(f"{path}: not a text file ({exc.reason})") from exc
        except OSError as exc:
            raise PatternFileError(f"{path}: cannot read pattern file ({exc.strerror})") from exc
        return cls.from_text(text, source=str(path))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<text>") -> PatternSet:
        """Parse pattern-file ``text``; ``source`` names it in errors."""
        patterns: list[Pattern] = []
        settings: dict[str, str] = {}
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            tokens = line.split()
            key = tokens[0]
            if not _KEY.match(key):
                raise PatternFileError(f"{source}:{lineno}: {key!r} is not an ACTION or SETTING name")
            rest = tokens[1:]
            if not rest:
                continue  # an action with no patterns is ignored, as REAPER does
            shaped = [_PATTERN_TOKEN.match(t) for t in rest]
            if all(shaped):
                for m in shaped:
                    assert m is not None
                    patterns.append(Pattern(key, m.group(1), m.group(2), lineno))
            elif len(rest) == 1 and not rest[0].startswith("/") and "/" not in rest[0]:
                settings[key] = rest[0]
            else:
                bad = next((t for t, m in zip(rest, shaped, strict=True) if not m), rest[0])
                raise PatternFileError(
                    f"{source}:{lineno}: {bad!r} is not a pattern (a type flag n f b t r s i followed by "
                    f"an address starting with '/')"
                )
        return cls(patterns=patterns, settings=settings, source=source)

    # ---- settings ------------------------------------------------------------------------------
    def setting_int(self, key: str, default: int) -> int:
        """An integer setting such as ``DEVICE_TRACK_COUNT`` (``default`` when absent)."""
        value = self.settings.get(key)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise PatternFileError(f"{self.source}: setting {key} = {value!r} is not an integer") from exc

    @property
    def track_count(self) -> int:
        """Track bank size (``DEVICE_TRACK_COUNT``, REAPER's default 8)."""
        return self.setting_int("DEVICE_TRACK_COUNT", 8)

    @property
    def fx_param_count(self) -> int:
        return self.setting_int("DEVICE_FX_PARAM_COUNT", 16)

    @property
    def marker_count(self) -> int:
        return self.setting_int("DEVICE_MARKER_COUNT", 0)

    # ---- building ------------------------------------------------------------------------------
    def actions(self) -> Iterator[str]:
        return iter(self._by_action)

    def patterns_for(self, action: str) -> list[Pattern]:
        return list(self._by_action.get(action, ()))

    def has(self, action: str, flag: str | None = None, wildcards: int | None = None) -> bool:
        """Whether the file has a pattern for ``action`` (optionally of ``flag`` with ``wildcards`` targets)."""
        return self._find(action, flag, wildcards, None) is not None

    def find(
        self, action: str, flag: str | None = None, wildcards: int | None = None, *, suffix: str | None = None
    ) -> Pattern:
        """The first pattern of ``action`` with type ``flag``, ``wildcards`` targets and address ``suffix``."""
        found = self._find(action, flag, wildcards, suffix)
        if found is None:
            want = f"{action}" + (f" flag {flag}" if flag else "") + (
                f" with {wildcards} target(s)" if wildcards is not None else ""
            ) + (f" ending {suffix}" if suffix else "")
            raise AddressError(f"{self.source} has no pattern for {want}")
        return found

    def _find(self, action: str, flag: str | None, wildcards: int | None, suffix: str | None) -> Pattern | None:
        for p in self._by_action.get(action, ()):
            if flag is not None and p.flag != flag:
                continue
            if wildcards is not None and p.wildcards != wildcards:
                continue
            if suffix is not None and not p.template.endswith(suffix):
                continue
            return p
        return None

    def address(self, action: str, flag: str, *targets: Target, suffix: str | None = None) -> str:
        """Build the address of ``action`` for ``targets`` from the loaded file.

        ``address("TRACK_VOLUME", "f", 3)`` -> ``/track/3/volume/db`` with REAPER's default file.
        """
        return self.find(action, flag, len(targets), suffix=suffix).build(*targets)

    # ---- routing -------------------------------------------------------------------------------
    def match(self, address: str) -> list[Match]:
        """Every pattern ``address`` is an instance of (file order); empty if none."""
        segs = address.strip("/").split("/")
        first = segs[0] if segs else ""
        out: list[Match] = []
        for p in self._by_shape.get((len(segs), first), ()):
            targets = p.match(address)
            if targets is not None:
                out.append(Match(p, targets))
        return out

    def match_one(self, address: str, flag: str | None = None) -> Match | None:
        """The first match of ``address`` (of type ``flag`` if given), or None."""
        for m in self.match(address):
            if flag is None or m.flag == flag:
                return m
        return None


def default_pattern_file() -> Path:
    """Our shipped pattern file (REAPER's default, extended for daw-bridge)."""
    return shipped.path(shipped.PATTERN_FILE, must_exist=False)


def load_patterns(path: str | Path | None = None) -> PatternSet:
    """Load ``path``, or our shipped pattern file when None."""
    return PatternSet.from_file(path if path is not None else default_pattern_file())
