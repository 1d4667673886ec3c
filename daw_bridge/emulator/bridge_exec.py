"""The emulator's side of the bridge protocol (docs/bridge-protocol.md), behaving like the REAPER Lua bridge.

One :meth:`BridgeExecutor.run` is one run of the registered action: it processes every pending request in
``requests/`` oldest first, writes each response atomically, deletes the request and exits. Rules enforced:
whitelisted ops only, ``protocol`` 1, id syntax and file-name agreement, 1 MiB size cap, stale requests refused,
duplicate ids (the last 256, kept in project ext state ``daw_bridge``/``done_ids``) never run twice, paths confined
to the bridge and bounce folders after resolving ``..`` and symlinks, and one undo point per request — a failing
request leaves the project exactly as it was (restored from a snapshot).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import stat
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import soundfile as sf

from ..daw import MARKER_TAG
from ..errors import DawBridgeError
from . import our_markers
from .project import JSFX_PREFIX, Fx, Marker, Project, Track, valid_color
from .render import render_project

log = logging.getLogger(__name__)

PROTOCOL = 1
MAX_REQUEST_BYTES = 1 << 20
MAX_MARKERS = 1000  # as the Lua bridge (lib/ops.lua)
MAX_STATE_VALUE_BYTES = 262144  # as the Lua bridge
DONE_IDS_KEEP = 256
EXT_SECTION = "daw_bridge"
HOST = "REAPER 7.x (daw-bridge emulator)"
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_FLOAT_MAX = int(sys.float_info.max)
_STATE_KEYS = ("sample_rate", "length_s", "project_path", "markers", "monitor_fx", "time_selection")


def _finite_int(text: str) -> int:
    value = int(text)
    if not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        raise ValueError(f"number out of range ({len(text)} digits)")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range ({text[:40]})")
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def loads_like_lua(text: str) -> Any:
    """``json.loads`` refusing what the Lua bridge's decoder (lib/json.lua) refuses with "number out of range" or
    "bad number": integers beyond a double's range (a 401-digit id or time would overflow every later ``float()``),
    numbers that read as infinite (``1e400``) and ``NaN``/``Infinity``. Raises ``ValueError``."""
    return json.loads(text, parse_int=_finite_int, parse_float=_finite_float, parse_constant=_no_constant)


class OpError(Exception):
    """A request refused with a protocol error ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class BridgeExecutor:
    """Runs mailbox requests in ``bridge_dir`` against ``project``; paths may only point into the allowed dirs."""

    def __init__(
        self, project: Project, bridge_dir: Path, bounce_dir: Path | None = None, *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.project = project
        self.bridge_dir = Path(bridge_dir)
        self.allowed = [Path(bridge_dir).resolve()] + ([Path(bounce_dir).resolve()] if bounce_dir else [])
        self.clock = clock
        self.ops: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "ping": self._ping, "get_state": self._get_state, "replace_markers": self._replace_markers,
            "clear_markers": self._clear_markers, "render": self._render,
            "set_monitor_chain": self._set_monitor_chain, "insert_media": self._insert_media,
            "align_item": self._align_item,
            "set_project_state": self._set_project_state, "get_project_state": self._get_project_state,
        }

    # ---- one run ---------------------------------------------------------------------------------
    def run(self) -> int:
        """Process every pending request, oldest first; returns how many were answered."""
        requests = self.bridge_dir / "requests"
        (self.bridge_dir / "responses").mkdir(parents=True, exist_ok=True)
        _write_json(self.bridge_dir / "bridge.json", {"protocol": PROTOCOL, "host": HOST, "time": self.clock()})
        if not requests.is_dir():
            return 0
        listed: list[tuple[float, str, Path]] = []
        for p in requests.iterdir():
            if not p.name.endswith(".json"):
                continue
            try:
                st = p.stat()  # links followed, as REAPER's Lua does
            except OSError:
                continue  # gone meanwhile, or a dangling link
            if not stat.S_ISDIR(st.st_mode):  # EnumerateFiles lists no folders; FIFOs and devices it does
                listed.append((st.st_mtime, p.name, p))
        listed.sort(key=lambda entry: entry[:2])
        answered = 0
        for _, _, path in listed:
            try:
                answered += self._one(path)
            except Exception as exc:  # one bad request never blocks the queue: answer it, remove it, go on
                log.exception("bridge: request %s failed unexpectedly", path.name)
                answered += self._give_up(path, exc)
        return answered

    def _give_up(self, path: Path, exc: Exception) -> int:
        """Answer ``path`` with ``internal`` (as the Lua bridge's pcall does) and delete it; 1 if answered."""
        file_id = path.name[: -len(".json")]
        try:
            if _ID.match(file_id):
                response_path = self.bridge_dir / "responses" / f"{file_id}.json"
                if not response_path.exists():
                    _write_json(response_path, _error(file_id, "internal", f"daw-bridge internal error: {exc}"))
            path.unlink(missing_ok=True)
        except OSError as err:
            log.warning("bridge: could not answer or remove %s: %s", path.name, err)
            return 0
        return 1

    def _one(self, path: Path) -> int:
        file_id = path.name[: -len(".json")]
        if not _ID.match(file_id):
            log.warning("bridge: ignoring request file with an invalid id: %s", path.name)
            path.unlink(missing_ok=True)
            return 0
        response_path = self.bridge_dir / "responses" / f"{file_id}.json"
        done = self._done_ids()
        if file_id in done:
            if not response_path.exists():  # an existing response is never overwritten
                _write_json(response_path, _error(file_id, "duplicate", f"request {file_id} was already executed"))
            path.unlink(missing_ok=True)
            return 1
        response = self._execute(path, file_id)
        self._remember(file_id)  # answered ids, failed or not, are never run again
        _write_json(response_path, response)
        path.unlink(missing_ok=True)
        return 1

    def _execute(self, path: Path, file_id: str) -> dict[str, Any]:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):  # lib/mailbox.lua refuses what cannot seek; never block on a FIFO
                raise OpError("io", f"{path.name} is not a regular file (a FIFO, socket or device)")
            if st.st_size > MAX_REQUEST_BYTES:
                raise OpError("too_large", f"request is larger than {MAX_REQUEST_BYTES} bytes")
            with open(path, "rb") as fh:
                raw = fh.read(MAX_REQUEST_BYTES + 1)
            if len(raw) > MAX_REQUEST_BYTES:
                raise OpError("too_large", f"request grew larger than {MAX_REQUEST_BYTES} bytes")
            try:
                request = loads_like_lua(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
                raise OpError("bad_json", f"request {path.name} is not valid JSON ({exc})") from exc
            op, args = self._validate(request, file_id)
        except OpError as exc:
            return _error(file_id, exc.code, str(exc))
        snapshot = self.project.snapshot()
        try:
            result = self.ops[op](args)
        except OpError as exc:
            self.project.restore(snapshot)
            return _error(file_id, exc.code, str(exc))
        except (DawBridgeError, OSError) as exc:
            self.project.restore(snapshot)
            return _error(file_id, "failed", f"{op} failed: {exc}")
        self.project.undo_history.append(f"daw-bridge: {op}")
        return {"protocol": PROTOCOL, "id": file_id, "ok": True, "result": result}

    def _validate(self, request: Any, file_id: str) -> tuple[str, dict[str, Any]]:
        if not isinstance(request, dict):
            raise OpError("bad_json", "a request must be a JSON object")
        if request.get("protocol") != PROTOCOL or isinstance(request.get("protocol"), bool):  # true == 1 in Python
            raise OpError("protocol", f"protocol {request.get('protocol')!r} is not supported (expected 1)")
        if request.get("id") != file_id:
            raise OpError("bad_args", f"id {request.get('id')!r} does not match the file name {file_id}.json")
        op = request.get("op")
        if not isinstance(op, str) or op not in self.ops:
            raise OpError("unknown_op", f"op {op!r} is not one of {', '.join(self.ops)}")
        expires = request.get("expires")
        if isinstance(expires, int | float) and not isinstance(expires, bool) and expires < self.clock():
            raise OpError("stale", f"request expired {self.clock() - expires:.1f} s ago")
        args = request.get("args", {})
        if not isinstance(args, dict):
            raise OpError("bad_args", "args must be an object")
        return op, args

    def _done_ids(self) -> list[str]:
        raw = self.project.get_ext_state(EXT_SECTION, "done_ids")
        return raw.split(",") if raw else []

    def _remember(self, request_id: str) -> None:
        done = [*self._done_ids(), request_id][-DONE_IDS_KEEP:]
        self.project.set_ext_state(EXT_SECTION, "done_ids", ",".join(done))

    # ---- path confinement ---------------------------------------------------------------------------
    def confine(self, raw: Any, field: str) -> Path:
        """``raw`` as a resolved path inside an allowed folder, else OpError ``path_refused``."""
        if not isinstance(raw, str) or not raw:
            raise OpError("bad_args", f"args.{field} must be a path string")
        path = Path(raw)
        if not path.is_absolute():
            raise OpError("path_refused", f"args.{field} {raw!r} must be an absolute path")
        resolved = path.resolve()
        if not any(resolved == root or resolved.is_relative_to(root) for root in self.allowed):
            roots = " or ".join(str(r) for r in self.allowed)
            raise OpError("path_refused", f"args.{field} {raw!r} resolves outside {roots}")
        return resolved

    # ---- operations -------------------------------------------------------------------------------
    def _ping(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"host": HOST, "protocol": PROTOCOL}

    def _get_state(self, args: dict[str, Any]) -> dict[str, Any]:
        keys = args.get("keys", list(_STATE_KEYS))
        if not isinstance(keys, list) or any(k not in _STATE_KEYS for k in keys):
            raise OpError("bad_args", f"args.keys must be a list drawn from {', '.join(_STATE_KEYS)}")
        p = self.project
        ours = our_markers.owned(p)
        values: dict[str, Any] = {
            "sample_rate": p.sample_rate,
            "length_s": p.length_s(),
            "project_path": str(p.path) if p.path else "",
            "markers": [_marker_json(m, ours) for m in sorted(p.markers, key=lambda m: (m.time_s, m.number))],
            "monitor_fx": _fx_list(p.monitor_fx),
            "time_selection": ({"start_s": p.loop_start_s, "end_s": p.loop_end_s}
                               if p.loop_start_s is not None and p.loop_end_s is not None else None),
        }
        return {k: values[k] for k in keys}

    def _replace_markers(self, args: dict[str, Any]) -> dict[str, Any]:
        raw = args.get("markers")
        if not isinstance(raw, list):
            raise OpError("bad_args", "args.markers must be a list")
        if len(raw) > MAX_MARKERS:
            raise OpError("bad_args", f"args.markers must be an array of at most {MAX_MARKERS} items")
        specs = [_marker_spec(m, i) for i, m in enumerate(raw)]  # validate everything first
        deleted = our_markers.delete_ours(self.project)
        for time_s, end_s, name, color in specs:
            number = self.project.next_marker_number(region=end_s is not None)
            label = name if name.startswith(MARKER_TAG) else f"{MARKER_TAG} {name}"
            our_markers.add_ours(self.project, Marker(number, time_s, label, color, end_s))
        return {"deleted": deleted, "added": len(specs)}

    def _clear_markers(self, args: dict[str, Any]) -> dict[str, Any]:
        """Delete the markers we wrote, known by ID (:mod:`.our_markers`), never by name."""
        return {"deleted": our_markers.delete_ours(self.project)}

    def _render(self, args: dict[str, Any]) -> dict[str, Any]:
        directory = self.confine(args.get("directory"), "directory")
        name = args.get("file_name")
        if not isinstance(name, str) or not name.lower().endswith(".wav") or Path(name).name != name or \
                name.startswith("."):
            raise OpError("bad_args", f"args.file_name {name!r} must be a plain file name ending in .wav")
        rate = _opt_int(args, "sample_rate", (8000, 384000))
        channels = _opt_int(args, "channels", (1, 2)) or 2
        bit_depth = args.get("bit_depth", 24)
        if bit_depth not in (16, 24, 32) or isinstance(bit_depth, bool):
            raise OpError("bad_args", f"args.bit_depth {bit_depth!r} must be 16, 24 or 32")
        start_s, end_s = _opt_time(args, "start_s"), _opt_time(args, "end_s")
        if start_s is not None and end_s is not None and end_s <= start_s:
            raise OpError("bad_args", "args.end_s must be after args.start_s")
        target = directory / name
        if target.exists():
            raise OpError("exists", f"{target} already exists; renders never overwrite a file")
        directory.mkdir(parents=True, exist_ok=True)
        result = render_project(self.project, target, sample_rate=rate, channels=channels, bit_depth=bit_depth,
                                start_s=start_s, end_s=end_s)
        return {"files": [str(f) for f in result.files], "duration_s": result.duration_s}

    def _set_monitor_chain(self, args: dict[str, Any]) -> dict[str, Any]:
        """Like the Lua bridge: ensure each listed effect on the monitoring chain, set sliders by name, put the
        listed ones in the given order from the earliest of their slots; other monitoring FX are untouched."""
        chain = args.get("chain")
        if not isinstance(chain, list):
            raise OpError("bad_args", "args.chain must be a list")
        wanted: list[tuple[str, bool, dict[str, float | str]]] = []
        for i, item in enumerate(chain):
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str) or not _KIND.match(item["kind"]):
                raise OpError("bad_args", f"args.chain[{i}].kind must be an effect kind such as 'correction'")
            params = item.get("params", {})
            if not isinstance(params, dict) or not all(
                isinstance(v, int | float | str) and not isinstance(v, bool) for v in params.values()
            ):
                raise OpError("bad_args", f"args.chain[{i}].params must map slider names to numbers or strings")
            labels = item.get("labels", {})
            if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
                raise OpError("bad_args", f"args.chain[{i}].labels must map slider names to their descriptions")
            enabled = item.get("enabled", True)
            if not isinstance(enabled, bool):
                raise OpError("bad_args", f"args.chain[{i}].enabled must be true or false")
            wanted.append((item["kind"], enabled, _slider_values(item["kind"], params, f"args.chain[{i}]")))
        fx_list = self.project.monitor_fx
        for kind, _enabled, _params in wanted:
            if not any(f.name == f"{JSFX_PREFIX}{kind}" for f in fx_list):
                fx_list.append(_new_monitor_fx(kind))
        names = [f"{JSFX_PREFIX}{kind}" for kind, _e, _p in wanted]
        listed = {f.name: f for f in fx_list if f.name in names}
        if listed:
            first = min(i for i, f in enumerate(fx_list) if f.name in names)
            rest = [f for f in fx_list if f.name not in names]
            ordered = [listed[n] for n in dict.fromkeys(names)]
            self.project.monitor_fx = rest[:first] + ordered + rest[first:]
        for kind, enabled, params in wanted:
            fx = listed[f"{JSFX_PREFIX}{kind}"]
            fx.params.update(params)
            fx.enabled = enabled
        return {"fx": _fx_list(self.project.monitor_fx)}

    def _insert_media(self, args: dict[str, Any]) -> dict[str, Any]:
        track_name = args.get("track_name")
        if not isinstance(track_name, str) or not track_name:
            raise OpError("bad_args", "args.track_name must be a non-empty string")
        path = self.confine(args.get("path"), "path")
        position = _opt_time(args, "position_s") or 0.0
        try:
            sf.info(str(path))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise OpError("bad_args", f"args.path {str(path)!r} is not readable audio ({exc})") from exc
        track = self.project.find_track(track_name)
        if track is None:
            track = Track(track_name)
            self.project.tracks.append(track)
        track.audio, track.offset_s = path, position
        return {"track": self.project.number_of(track)}

    def _align_item(self, args: dict[str, Any]) -> dict[str, Any]:
        """Place the track's item so that its source's time 0 sits at ``offset_s`` (negative: start trimmed)."""
        extra = set(args) - {"track_name", "offset_s"}
        if extra:
            raise OpError("bad_args", f"args has unknown key(s) {', '.join(sorted(extra))}")
        track_name = args.get("track_name")
        if not isinstance(track_name, str) or not track_name:
            raise OpError("bad_args", "args.track_name must be a non-empty string")
        offset = args.get("offset_s")
        if isinstance(offset, bool) or not isinstance(offset, int | float) or not abs(offset) <= 600:
            raise OpError("bad_args", "args.offset_s must be a number within +-600 s")
        track = self.project.find_track(track_name)
        if track is None:
            raise OpError("not_found", f"no track named {track_name}")
        if track.audio is None:
            raise OpError("not_found", f"track {track_name} has no item")
        if -offset >= track.item_length_s():
            raise OpError("bad_args", "args.offset_s skips the whole item")
        track.offset_s = float(offset)
        return {"track": self.project.number_of(track), "offset_s": float(offset)}

    def _set_project_state(self, args: dict[str, Any]) -> dict[str, Any]:
        key, value = args.get("key"), args.get("value")
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise OpError("bad_args", "args.key and args.value must be strings")
        if len(value.encode("utf-8")) > MAX_STATE_VALUE_BYTES:
            raise OpError("bad_args", f"args.value must be at most {MAX_STATE_VALUE_BYTES} bytes")
        self.project.set_ext_state(EXT_SECTION, key, value)
        return {}

    def _get_project_state(self, args: dict[str, Any]) -> dict[str, Any]:
        key = args.get("key")
        if not isinstance(key, str) or not key:
            raise OpError("bad_args", "args.key must be a string")
        return {"value": self.project.get_ext_state(EXT_SECTION, key)}


def _slider_values(kind: str, params: dict[str, Any], where: str) -> dict[str, float | str]:
    """Slider values checked against daw_bridge/dsp/params.py (the single source of truth), when available."""
    try:
        from ..dsp import params as dsp_params
    except ImportError:  # parameter map not available: accept as given
        return dict(params)
    if kind not in dsp_params.PARAMS:
        raise OpError("fx_missing", f"{where}: no effect {JSFX_PREFIX}{kind} (kinds: {', '.join(dsp_params.PARAMS)})")
    out: dict[str, float | str] = {}
    for name, value in params.items():
        try:
            out[name] = dsp_params.slider_value(kind, name, value)
        except KeyError:
            known = ", ".join(s.name for s in dsp_params.sliders(kind))
            raise OpError("bad_args", f"{where}: {JSFX_PREFIX}{kind} has no slider named {name!r} ({known})") from None
        except DawBridgeError as exc:
            raise OpError("bad_args", f"{where}: {exc}") from exc
    return out


def _new_monitor_fx(kind: str) -> Fx:
    """Our effect as freshly added: every slider at its default, ranges known for OSC."""
    try:
        from ..dsp import params as dsp_params
    except ImportError:
        return Fx(f"{JSFX_PREFIX}{kind}")
    sliders = dsp_params.sliders(kind)
    return Fx(f"{JSFX_PREFIX}{kind}", True, {s.name: s.default for s in sliders},
              {s.name: (s.minimum, s.maximum) for s in sliders})


def _marker_spec(m: Any, i: int) -> tuple[float, float | None, str, str | None]:
    where = f"args.markers[{i}]"
    if not isinstance(m, dict):
        raise OpError("bad_args", f"{where} must be an object")
    time_s: Any = m.get("time_s")
    if not _number(time_s) or time_s < 0:
        raise OpError("bad_args", f"{where}.time_s must be a number >= 0")
    end_s = m.get("end_s")
    if end_s is not None and (not _number(end_s) or end_s <= time_s):
        raise OpError("bad_args", f"{where}.end_s must be null or a number after time_s")
    name = m.get("name")
    if not isinstance(name, str):
        raise OpError("bad_args", f"{where}.name must be a string")
    color = m.get("color")
    if color is not None and (not isinstance(color, str) or not valid_color(color)):
        raise OpError("bad_args", f"{where}.color must be null or \"#rrggbb\"")
    return float(time_s), (float(end_s) if end_s is not None else None), name, color


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _opt_time(args: dict[str, Any], key: str) -> float | None:
    v = args.get(key)
    if v is None:
        return None
    if not _number(v) or v < 0:
        raise OpError("bad_args", f"args.{key} must be null or a number >= 0")
    return float(v)


def _opt_int(args: dict[str, Any], key: str, bounds: tuple[int, int]) -> int | None:
    v = args.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not bounds[0] <= v <= bounds[1]:
        raise OpError("bad_args", f"args.{key} {v!r} must be an integer in {bounds[0]}..{bounds[1]}")
    return v


def _marker_json(m: Marker, ours: list[our_markers.OwnedId]) -> dict[str, Any]:
    return {"number": m.number, "time_s": m.time_s, "end_s": m.end_s, "name": m.name, "color": m.color,
            "ours": our_markers.is_ours(m, ours), "id": m.guid}


def _fx_list(chain: list[Fx]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"index": i, "name": f.name, "enabled": f.enabled} for i, f in enumerate(chain, 1)]
    for entry, f in zip(out, chain, strict=True):
        if f.name == f"{JSFX_PREFIX}ceiling":  # the meter as last written (the emulator plays no live monitoring)
            entry["reduction_db"] = float(f.params.get("reduction_db", 0.0))
    return out


def _error(request_id: str, code: str, message: str) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "id": request_id, "ok": False, "error": {"code": code, "message": message}}


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Write ``value`` atomically: a temp file in the same folder, flushed, then renamed."""
    tmp = path.with_name(f"{path.stem}.tmp-{uuid.uuid4().hex[:8]}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(value, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
