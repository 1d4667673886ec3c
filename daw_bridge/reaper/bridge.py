"""The controller's side of the bridge protocol (``docs/bridge-protocol.md``, version 1).

What OSC cannot do (coloured/deletable markers, render to a path, monitoring FX, insert media, project state)
goes through a mailbox folder: :class:`BridgeClient` writes ``requests/<id>.json`` atomically (temp file in the
same folder, flush, fsync, rename), triggers the in-DAW bridge (an OSC action, passed in as ``trigger``), polls
``responses/<id>.json`` every 10 ms until ``timeout_s`` and maps error codes to our errors:

* no response in time -> :class:`~daw_bridge.errors.BridgeTimeout` (the request is withdrawn if still unread);
* ``path_refused`` -> :class:`~daw_bridge.errors.BridgePathError`; any other code ->
  :class:`~daw_bridge.errors.BridgeRefused` with ``.code``.

:class:`EventWatcher` is the other direction: it keeps ``controller.json`` fresh (heartbeat) and hands each
``events/*.json`` written by in-DAW shortcut scripts to a callback, then deletes it.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..dsp.params import KINDS, slider_descriptions
from ..errors import BridgeError, BridgePathError, BridgeRefused, BridgeTimeout

log = logging.getLogger(__name__)

PROTOCOL = 1
#: The operations a bridge executes (whitelist; anything else is refused before it is written).
OPERATIONS = frozenset(
    {
        "ping",
        "get_state",
        "replace_markers",
        "clear_markers",
        "render",
        "set_monitor_chain",
        "insert_media",
        "align_item",
        "set_project_state",
        "get_project_state",
    }
)
#: Arguments holding paths that must be absolute and inside the allowed folders.
PATH_ARGS = {"render": "directory", "insert_media": "path"}
POLL_S = 0.01
EVENT_POLL_S = 0.05
#: The largest event file read (bytes); events are a few hundred bytes. Bigger entries are quarantined.
EVENT_MAX_BYTES = 64 * 1024
#: An event that does not parse is retried until it is this old (s): a non-atomic writer may still be writing.
EVENT_SETTLE_S = 2.0
#: How many unmovable entries are remembered (and skipped) at most.
EVENT_SKIP_MAX = 1024
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def ensure_mailbox(bridge_dir: Path) -> Path:
    """Create the mailbox (and its requests/responses/events folders) private to the user (mode 0700)."""
    bridge_dir = Path(bridge_dir).expanduser()
    for folder in (bridge_dir, bridge_dir / "requests", bridge_dir / "responses", bridge_dir / "events"):
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        except OSError as exc:
            raise BridgeError(f"cannot create bridge folder {folder} ({exc.strerror or exc})") from exc
    return bridge_dir


def write_json_atomic(path: Path, payload: Mapping[str, Any]) -> None:
    """Write ``payload`` to ``path`` so that no reader ever sees a partial file (temp + fsync + rename)."""
    data = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _check_paths(op: str, args: Mapping[str, Any], allowed_roots: Sequence[Path]) -> None:
    key = PATH_ARGS.get(op)
    if key is None or key not in args:
        return
    raw = args[key]
    if not isinstance(raw, str | os.PathLike) or not Path(raw).is_absolute():
        raise BridgePathError(f"{op}: {key} {raw!r} must be an absolute path")
    if not allowed_roots:
        return
    resolved = Path(raw).resolve()
    roots = [Path(r).expanduser().resolve() for r in allowed_roots]
    if not any(resolved == r or r in resolved.parents for r in roots):
        where = " or ".join(str(r) for r in roots)
        raise BridgePathError(f"{op}: {key} {raw} is outside the allowed folders ({where})")


class BridgeClient:
    """Send whitelisted requests to the in-DAW bridge through the mailbox at ``bridge_dir``.

    ``trigger()`` runs the bridge (over OSC: the bridge command id). ``allowed_roots`` (the bridge and bounce
    folders) are checked before a path-carrying request is written; the bridge checks again.
    """

    def __init__(
        self,
        bridge_dir: Path,
        trigger: Callable[[], object],
        *,
        timeout_s: float = 5.0,
        allowed_roots: Sequence[Path] = (),
        host: str = "REAPER",
        setup_hint: str = "is daw-bridge installed in REAPER (`daw-bridge reaper install`) and OSC enabled?",
    ) -> None:
        self.bridge_dir = ensure_mailbox(bridge_dir)
        self.trigger = trigger
        self.host = host
        self.setup_hint = setup_hint
        self.timeout_s = timeout_s
        self.allowed_roots = tuple(allowed_roots) or (self.bridge_dir,)

    def request(self, op: str, args: Mapping[str, Any] | None = None, *, timeout_s: float | None = None) -> Any:
        """Run ``op`` with ``args`` in the DAW and return the response's ``result``."""
        if op not in OPERATIONS:
            known = ", ".join(sorted(OPERATIONS))
            raise BridgeRefused(f"bridge operation {op!r} is not one of {known}", code="unknown_op")
        args = dict(args or {})
        _check_paths(op, args, self.allowed_roots)
        wait_s = self.timeout_s if timeout_s is None else timeout_s
        request_id = uuid.uuid4().hex
        now = time.time()
        request = {
            "protocol": PROTOCOL,
            "id": request_id,
            "op": op,
            "args": args,
            "created": now,
            "expires": now + wait_s,
        }
        req_path = self.bridge_dir / "requests" / f"{request_id}.json"
        resp_path = self.bridge_dir / "responses" / f"{request_id}.json"
        try:
            write_json_atomic(req_path, request)
        except (OSError, ValueError, RecursionError) as exc:
            raise BridgeError(f"cannot write bridge request {req_path} ({exc})") from exc
        self.trigger()
        deadline = time.monotonic() + wait_s
        while not resp_path.exists():
            if time.monotonic() >= deadline:
                self._withdraw(req_path)
                raise BridgeTimeout(f"no response from the {self.host} bridge in {wait_s:.1f} s ({op}): {self._hint()}")
            time.sleep(POLL_S)
        return self._read_response(resp_path, request_id, op, self.host)

    def _hint(self) -> str:
        """What to check after a timeout. A bridge that has run in this mailbox before (it writes ``bridge.json``
        on every run) is installed: then the DAW itself stopped answering (a modal dialog, stopped, closed)."""
        try:
            last = json.loads((self.bridge_dir / "bridge.json").read_text(encoding="utf-8")).get("time")
            ago = f" {time.time() - float(last):.0f} s ago" if isinstance(last, int | float) else ""
        except (OSError, ValueError, TypeError, AttributeError, RecursionError):
            return self.setup_hint
        return (f"the {self.host} bridge last answered here{ago}, so it is installed: {self.host} stopped "
                "answering (a dialog waiting in it? stopped or closed?)")

    @staticmethod
    def _withdraw(req_path: Path) -> None:
        try:
            req_path.unlink()
        except FileNotFoundError:
            pass  # the bridge took it: its response will be cleaned up by nobody, which is harmless
        except OSError as exc:
            log.warning("could not withdraw bridge request %s: %s", req_path, exc)

    @staticmethod
    def _read_response(resp_path: Path, request_id: str, op: str, host: str = "REAPER") -> Any:
        try:
            response = json.loads(resp_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise BridgeRefused(f"{op}: unreadable bridge response {resp_path} ({exc})", code="bad_response") from exc
        finally:
            try:
                resp_path.unlink()
            except OSError:
                pass
        if not isinstance(response, dict) or response.get("id") != request_id:
            raise BridgeRefused(f"{op}: response {resp_path} is not for request {request_id}", code="bad_response")
        if response.get("protocol") != PROTOCOL:
            raise BridgeRefused(
                f"{op}: bridge speaks protocol {response.get('protocol')!r}, we speak {PROTOCOL}: update daw-bridge's "
                f"scripts in {host}",
                code="protocol",
            )
        if response.get("ok") is True:
            return response.get("result", {})
        raw_error = response.get("error")
        error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
        code = str(error.get("code", "error"))
        message = f"{op}: the bridge refused ({code}): {error.get('message', 'no message')}"
        if code == "path_refused":
            raise BridgePathError(message)
        raise BridgeRefused(message, code=code)

    # ---- the operations -----------------------------------------------------------------------
    def ping(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("ping")
        return result

    def get_state(self, keys: Sequence[str]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("get_state", {"keys": list(keys)})
        return result

    def replace_markers(self, markers: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("replace_markers", {"markers": [dict(m) for m in markers]})
        return result

    def clear_markers(self) -> int:
        return int(self.request("clear_markers").get("deleted", 0))

    def render(self, args: Mapping[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.request("render", args, timeout_s=timeout_s)
        return result

    def set_monitor_chain(self, chain: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Our effects on the monitoring chain. Each entry also carries ``labels`` (slider name -> the description
        REAPER reports as the parameter name), so the bridge finds sliders however REAPER names them."""
        entries = []
        for c in chain:
            entry = dict(c)
            params = entry.get("params")
            if "labels" not in entry and isinstance(params, Mapping) and entry.get("kind") in KINDS:
                labels = slider_descriptions(str(entry["kind"]), params)
                if labels:
                    entry["labels"] = labels
            entries.append(entry)
        result: dict[str, Any] = self.request("set_monitor_chain", {"chain": entries})
        return result

    def insert_media(self, track_name: str, path: Path, *, position_s: float = 0.0) -> int:
        args = {"track_name": track_name, "path": str(path), "position_s": float(position_s)}
        return int(self.request("insert_media", args).get("track", 0))

    def align_item(self, track_name: str, offset_s: float) -> int:
        """Place the track's item so its source's time 0 sits at ``offset_s`` s (negative: start trimmed)."""
        return int(self.request("align_item", {"track_name": track_name, "offset_s": float(offset_s)}).get("track", 0))

    def set_project_state(self, key: str, value: str) -> None:
        self.request("set_project_state", {"key": key, "value": value})

    def get_project_state(self, key: str) -> str | None:
        value = self.request("get_project_state", {"key": key}).get("value")
        return None if value is None else str(value)


class EventUnreadable(Exception):
    """An ``events/`` entry that cannot be an event (not a regular file, or too large): it is quarantined."""


def read_event_bytes(path: Path, *, max_bytes: int = EVENT_MAX_BYTES) -> tuple[bytes, float]:
    """The bytes of the event file ``path`` and its mtime (s), read without ever blocking or following a link.

    Anything ``lstat`` does not call a regular file is refused unopened. The file is then opened with
    ``O_NONBLOCK | O_NOFOLLOW`` (should it have been swapped for a FIFO meanwhile, it opens at once; a symlink is
    refused) and checked again with ``fstat`` on the open descriptor: only a regular file of at most ``max_bytes``
    is read, and never more than ``max_bytes + 1`` bytes (a file that grew past the cap is refused too).
    Raises :class:`EventUnreadable` for anything else, ``OSError`` if it vanished or cannot be opened.
    """
    mode = os.lstat(path).st_mode  # a device is never even opened (opening one can have effects of its own)
    if not stat.S_ISREG(mode):
        raise EventUnreadable("a symbolic link" if stat.S_ISLNK(mode) else f"not a regular file ({_file_kind(mode)})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise EventUnreadable("a symbolic link") from exc
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise EventUnreadable(f"not a regular file ({_file_kind(st.st_mode)})")
        if st.st_size > max_bytes:
            raise EventUnreadable(f"{st.st_size} bytes, over the {max_bytes}-byte limit for an event")
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise EventUnreadable(f"over the {max_bytes}-byte limit for an event")
        return data, st.st_mtime
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a link")):
        if test(mode):
            return name
    return "an odd file"


class EventWatcher:
    """Heartbeat ``controller.json`` and deliver ``events/*.json`` to ``handler`` (oldest first), deleting each.

    :meth:`poll_once` does one round (tests call it directly); :meth:`start` runs it every ``poll_s`` in a
    daemon thread. Nothing in ``events/`` can stall or break a pass (docs/reliability.md):

    * only regular files are read, through :func:`read_event_bytes` (non-blocking, no symlinks, at most
      ``max_bytes``); anything else (a FIFO, a symlink, a folder, a device, an oversized file) is moved to
      ``quarantine/`` and logged once, or, if it cannot be moved, logged once and skipped from then on;
    * a file that reads as cut short (empty, or JSON that ends too early) and was modified less than
      ``settle_s`` ago is left for a later pass: a writer that does not rename atomically may still be writing
      it. Any other unparseable file, or a cut one that stays so, is malformed: logged, counted in
      :attr:`malformed` and deleted.
    """

    def __init__(
        self,
        bridge_dir: Path,
        handler: Callable[[dict[str, Any]], None],
        *,
        poll_s: float = EVENT_POLL_S,
        heartbeat_s: float = 1.0,
        max_bytes: int = EVENT_MAX_BYTES,
        settle_s: float = EVENT_SETTLE_S,
    ) -> None:
        self.bridge_dir = ensure_mailbox(bridge_dir)
        self.handler = handler
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.max_bytes = max_bytes
        self.settle_s = settle_s
        self.malformed = 0
        self.delivered = 0
        self.quarantined = 0
        self._skipped: dict[str, tuple[int, int]] = {}  # name -> (inode, device) of entries we could not move
        self._last_beat = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def heartbeat(self) -> None:
        """Write ``controller.json`` = ``{"pid", "time"}`` (in-DAW scripts check it is fresh)."""
        write_json_atomic(self.bridge_dir / "controller.json", {"pid": os.getpid(), "time": time.time()})
        self._last_beat = time.monotonic()

    def pending(self) -> list[Path]:
        """The ``events/*.json`` entries to look at this pass, oldest name first (skipped entries left out)."""
        events = self.bridge_dir / "events"
        names: list[str] = []
        with os.scandir(events) as entries:
            for entry in entries:
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                known = self._skipped.get(entry.name)
                if known is not None:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if (st.st_ino, st.st_dev) == known:
                        continue
                    del self._skipped[entry.name]  # a new entry under that name
                names.append(entry.name)
        return [events / name for name in sorted(names)]

    def poll_once(self) -> int:
        """Heartbeat if due, then handle every pending event; returns how many were delivered."""
        if time.monotonic() - self._last_beat >= self.heartbeat_s:
            self.heartbeat()
        delivered = 0
        for path in self.pending():
            event = self._read(path)
            if event is None:
                continue
            try:
                self.handler(event)
                delivered += 1
            except Exception:
                log.exception("bridge event handler failed on %s", path.name)
            self._remove(path)
        self.delivered += delivered
        return delivered

    def _read(self, path: Path) -> dict[str, Any] | None:
        """The event in ``path``, or None (left for later, quarantined, or malformed and deleted)."""
        try:
            data, mtime = read_event_bytes(path, max_bytes=self.max_bytes)
        except FileNotFoundError:
            return None
        except (EventUnreadable, OSError) as exc:
            self._quarantine(path, exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
            return None
        try:
            event = json.loads(data.decode("utf-8"))
            if not isinstance(event, dict) or not isinstance(event.get("event"), str):
                raise ValueError("not an object with an 'event' string")
        except (ValueError, RecursionError) as exc:
            if _looks_cut_short(data, exc) and time.time() - mtime < self.settle_s:
                return None  # maybe still being written: next pass
            self.malformed += 1
            log.warning("dropped malformed bridge event %s (%d bytes): %s", path.name, len(data), _short(str(exc)))
            self._remove(path)
            return None
        return event

    def _remove(self, path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            self._quarantine(path, f"cannot delete it ({exc.strerror or exc})")

    def _quarantine(self, path: Path, reason: str) -> None:
        """Move ``path`` (whatever it is; links are not followed) to ``quarantine/``, logging once."""
        folder = self.bridge_dir / "quarantine"
        target = folder / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}-{path.name[:100]}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            os.rename(path, target)
        except FileNotFoundError:
            return
        except OSError as exc:
            try:
                st = os.lstat(path)
            except OSError:
                return
            self._skipped[path.name] = (st.st_ino, st.st_dev)
            if len(self._skipped) > EVENT_SKIP_MAX:
                self._skipped.pop(next(iter(self._skipped)))
            log.warning("ignoring bridge event %s: %s; cannot move it aside (%s)", _short(path.name), reason,
                        exc.strerror or exc)
            return
        self.quarantined += 1
        log.warning("moved unreadable bridge event %s to %s: %s", _short(path.name), target, reason)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.poll_once()
            except Exception:
                log.exception("bridge event poll failed")

    def start(self) -> None:
        if self._thread is None:
            self.heartbeat()
            self._thread = threading.Thread(target=self._run, name="bridge-events", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        try:
            (self.bridge_dir / "controller.json").unlink()
        except OSError:
            pass

    def __enter__(self) -> EventWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _looks_cut_short(data: bytes, exc: BaseException) -> bool:
    """Whether ``data`` failed to parse as JSON because it ends too early (a write still in progress)."""
    if isinstance(exc, UnicodeDecodeError):
        return exc.start >= len(data) - 3  # a multi-byte character cut at the end
    if isinstance(exc, json.JSONDecodeError):
        return exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
    return False


def _short(text: str, limit: int = 120) -> str:
    """``text`` cut to ``limit`` characters for a log line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
