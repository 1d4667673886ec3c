"""Hostile bridge requests (docs/bridge-protocol.md) for both bridges: every one must be refused.

:func:`hostile_requests` returns the request files to write into ``requests/``: malformed JSON, non-objects, bad
envelopes, unknown operations, wrong types, huge payloads, stale requests and paths outside the allowed folders
(``..``, absolute, and, for the Python side, symlinks). :func:`mutations` adds seeded random wrong-typed values in
the required fields of otherwise valid requests.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Codes a refusal may carry (docs/bridge-protocol.md, plus the bridges' own refinements).
REFUSAL_CODES = frozenset(
    {"bad_json", "bad_request", "protocol", "unknown_op", "bad_args", "stale", "duplicate", "too_large",
     "path_refused", "exists", "not_found", "fx_missing", "io"}
)


@dataclass(frozen=True)
class Case:
    """One request file: ``rid`` (its name), raw ``body`` bytes, what it tries (``label``)."""

    rid: str
    body: bytes
    label: str


@dataclass(frozen=True)
class Folders:
    bridge: Path
    bounces: Path
    outside: Path  # a folder the bridge must never touch
    link: Path | None = None  # a symlink inside the bounce folder pointing to ``outside``


def envelope(rid: str, op: Any, args: Any, now: float, **extra: Any) -> dict[str, Any]:
    return {"protocol": 1, "id": rid, "op": op, "args": args, "created": now, "expires": now + 600, **extra}


class _Ids:
    def __init__(self, prefix: str) -> None:
        self.prefix, self.n = prefix, 0

    def __call__(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:05d}"


def hostile_requests(f: Folders, now: float, *, seed: int = 7, symlinks: bool = True) -> list[Case]:
    """The fixed corpus (109 requests; 106 without the symlink ones)."""
    rng = random.Random(seed)
    next_id = _Ids("hostile")
    cases: list[Case] = []

    def raw(body: bytes, label: str) -> None:
        cases.append(Case(next_id(), body, label))

    def req(op: Any, args: Any, label: str, **extra: Any) -> None:
        rid = next_id()
        body = envelope(rid, op, args, now, **extra)
        cases.append(Case(rid, json.dumps(body).encode(), label))

    # malformed JSON and non-objects
    raw(b"", "empty file")
    raw(b"{not json", "bad JSON")
    raw(b'{"protocol": 1, "id": "x", "op": "ping", "args": {', "truncated JSON")
    raw(b"\xff\xfe{\x00}", "not UTF-8")
    raw(rng.randbytes(400), "random bytes")
    raw(b"[" * 50_000 + b"]" * 50_000, "nested 50,000 deep")
    for text in (b"null", b"[]", b"1", b'"ping"', b"true", b"NaN"):
        raw(text, f"top-level {text.decode()}")
    # envelopes
    for proto in (2, "1", None, 1.5, True):
        req("ping", {}, f"protocol {proto!r}", protocol=proto)
    cases.append(Case(next_id(), json.dumps(envelope("someoneelse01", "ping", {}, now)).encode(), "id mismatch"))
    req("clear_markers", {}, "stale", expires=now - 5)
    cases.append(Case(next_id(), b'{"protocol": 1, "op": "ping", "args": {}}', "id missing"))
    # unknown operations
    for op in ("os.execute", "__index", "__class__", "names", "PING", " ping", "ping ", "", None, 5, ["ping"],
               {"op": "ping"}, "render;rm -rf /", "io.popen", "dofile", "require"):
        req(op, {"cmd": "rm -rf /"}, f"unknown op {op!r}")
    # args of the wrong type
    bad_args: tuple[Any, ...] = ([], "x", 1, None, True)
    for args in bad_args:
        req("ping", args, f"args {args!r}")
    # wrong types per operation
    marker = {"time_s": 1.0, "end_s": None, "name": "x", "color": "#3399ff"}
    marker_lists: tuple[Any, ...] = ({}, "x", [1], [None], [dict(marker, time_s="1")], [dict(marker, time_s=-1)],
                    [dict(marker, time_s=float("inf"))], [dict(marker, name=5)], [dict(marker, color="red")],
                    [dict(marker, end_s=0.5)], [marker, dict(marker, time_s=[])])
    for markers in marker_lists:
        req("replace_markers", {"markers": markers}, f"markers {str(markers)[:40]}")
    for keys in ("markers", [5], ["password"], [["markers"]], {"markers": 1}):
        req("get_state", {"keys": keys}, f"keys {keys!r}")
    for chain in ("x", [{"kind": "Bad Kind"}], [{"kind": 5}], [{"kind": "crossfeed", "params": {"feed_db": []}}],
                  [{"kind": "crossfeed", "enabled": "yes"}], [{"kind": "crossfeed", "params": "x"}], [None]):
        req("set_monitor_chain", {"chain": chain}, f"chain {str(chain)[:40]}")
    state_args: tuple[dict[str, Any], ...] = ({"key": 5, "value": "v"}, {"key": "k", "value": 5},
                                              {"key": "", "value": "v"}, {"key": "k"}, {"value": "v"})
    for args in state_args:
        req("set_project_state", args, f"state {args!r}")
    req("get_project_state", {"key": ["k"]}, "get state key list")
    # renders: bad names and formats, paths outside, existing files
    good_render = {"directory": str(f.bounces), "file_name": "fuzz.wav"}
    for name in ("../x.wav", "x.mp3", "", "sub/x.wav", "/abs/x.wav", 5, "x.wav\x00.txt"):
        req("render", dict(good_render, file_name=name), f"render file_name {name!r}")
    for key, value in (("bit_depth", 12), ("bit_depth", "24"), ("channels", 3), ("sample_rate", 1),
                       ("start_s", -1), ("end_s", "x")):
        req("render", dict(good_render, **{key: value}), f"render {key}={value!r}")
    outside_dirs = [str(f.outside), "/etc", "/", "relative/dir", str(f.bounces / ".." / f.outside.name),
                    str(f.bounces) + "/../../" + f.outside.name, str(f.bridge) + "/..", "", 5, None,
                    str(f.bounces).replace("/", "\\")]
    if symlinks and f.link is not None:
        outside_dirs += [str(f.link), str(f.link / "deeper")]
    for directory in outside_dirs:
        req("render", dict(good_render, directory=directory), f"render into {directory!r}")
    req("render", dict(good_render, file_name="existing.wav"), "render over an existing bounce")
    # media: outside, missing, wrong types
    media_paths = [str(f.outside / "secret.wav"), "/etc/passwd", "../ref.wav", str(f.bounces / "missing.wav"),
                   str(f.bounces / ".." / f.outside.name / "secret.wav"), 5]
    if symlinks and f.link is not None:
        media_paths.append(str(f.link / "secret.wav"))
    for path in media_paths:
        req("insert_media", {"track_name": "REF 9", "path": path}, f"insert_media {path!r}")
    req("insert_media", {"track_name": "", "path": str(f.bounces / "existing.wav")}, "insert_media empty track name")
    req("insert_media", {"track_name": 5, "path": str(f.bounces / "existing.wav")}, "insert_media track name 5")
    # huge payloads
    raw(json.dumps(envelope("x", "ping", {"pad": "x" * (1 << 20)}, now)).encode(), "over 1 MiB")
    req("replace_markers", {"markers": [marker] * 5000}, "5,000 markers")
    req("set_project_state", {"key": "k", "value": "v" * 300_000}, "300 kB state value")
    return _fix_ids(cases, now)


def _fix_ids(cases: list[Case], now: float) -> list[Case]:
    """Make each JSON request's ``id`` agree with its file name, except where the mismatch is the point."""
    out = []
    for c in cases:
        try:
            body = json.loads(c.body)
        except (ValueError, RecursionError):
            out.append(c)
            continue
        if isinstance(body, dict) and "id" in body and c.label != "id mismatch":
            body["id"] = c.rid
            out.append(Case(c.rid, json.dumps(body).encode(), c.label))
        else:
            out.append(c)
    return out


_WRONG: tuple[Any, ...] = ("", "x" * 300, 7, -1.5, True, None, [], [1, "a"], {}, {"a": {"b": []}}, [[[]]])


def mutations(f: Folders, now: float, *, seed: int, count: int) -> list[Case]:
    """``count`` valid requests with one required field replaced by a value of another JSON type."""
    rng = random.Random(seed)
    next_id = _Ids(f"mut{seed:03d}x")
    marker = {"time_s": 1.0, "name": "x"}
    templates: list[tuple[str, dict[str, Any], list[tuple[Any, ...]], type | tuple[type, ...]]] = [
        ("replace_markers", {"markers": [marker]}, [("markers",), ("markers", 0), ("markers", 0, "time_s"),
                                                     ("markers", 0, "name")], ()),
        ("render", {"directory": str(f.bounces), "file_name": "m.wav"}, [("directory",), ("file_name",)], ()),
        ("insert_media", {"track_name": "R", "path": str(f.bounces / "existing.wav")}, [("track_name",), ("path",)],
         ()),
        ("set_project_state", {"key": "k", "value": "v"}, [("key",), ("value",)], ()),
        ("get_project_state", {"key": "k"}, [("key",)], ()),
        ("set_monitor_chain", {"chain": [{"kind": "crossfeed"}]}, [("chain",), ("chain", 0), ("chain", 0, "kind")],
         ()),
    ]
    out: list[Case] = []
    for _ in range(count):
        op, args, fields, _unused = rng.choice(templates)
        args = copy.deepcopy(args)
        field = rng.choice(fields)
        current = _get(args, field)
        wrong = rng.choice([w for w in _WRONG if _json_type(w) != _json_type(current) and not _valid_as(field, w)])
        _set(args, field, wrong)
        rid = next_id()
        out.append(Case(rid, json.dumps(envelope(rid, op, args, now)).encode(), f"{op} {field}={wrong!r}"[:60]))
    return out


def _json_type(value: Any) -> str:
    """The JSON type of ``value`` (int and float are both numbers)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _valid_as(field: tuple[Any, ...], value: Any) -> bool:
    """Values that are legitimately accepted for ``field`` (skip them: the mutation must be wrong)."""
    if field == ("markers",) and value == []:
        return True  # an empty list replaces our markers with none: valid
    if field == ("chain",) and value == []:
        return True
    if field[-1] == "name" and isinstance(value, str):
        return True  # "" and long names are names
    if field[-1] == "value" and isinstance(value, str):
        return True
    if field[-1] == "track_name" and isinstance(value, str) and value:
        return True
    return False


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def write_cases(requests_dir: Path, cases: list[Case]) -> None:
    for c in cases:
        (requests_dir / f"{c.rid}.json").write_bytes(c.body)


def tree_state(folder: Path) -> dict[str, tuple[int, float]]:
    """Every path under ``folder`` with its size and mtime (to prove nothing was touched)."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime) for p in sorted(folder.rglob("*"))}
