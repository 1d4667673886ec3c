"""Bridge protocol fuzzing on both sides: the emulator's executor (Python) and the REAPER Lua bridge (lua5.4 with
the stand-in ``reaper`` table) answer the same hostile corpus. Every request gets an error response, nothing is
executed, and nothing outside the allowed folders is touched."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.emulator.bridge_exec import BridgeExecutor
from daw_bridge.emulator.project import Marker
from daw_bridge.errors import BridgePathError, BridgeRefused
from daw_bridge.reaper.bridge import BridgeClient, EventWatcher, ensure_mailbox

from .bridge_corpus import (
    REFUSAL_CODES,
    Case,
    Folders,
    envelope,
    hostile_requests,
    mutations,
    tree_state,
    write_cases,
)
from .session import small_project

MUTATIONS = 300


def make_folders(root: Path, bridge: Path, bounces: Path) -> Folders:
    outside = root / "outside"
    outside.mkdir()
    sf.write(str(outside / "secret.wav"), np.zeros((4800, 2)), 48000)
    ensure_mailbox(bridge)
    bounces.mkdir(parents=True, exist_ok=True)
    sf.write(str(bounces / "existing.wav"), np.zeros((4800, 2)), 48000)
    link = bounces / "escape"
    os.symlink(outside, link)
    return Folders(bridge=bridge, bounces=bounces, outside=outside, link=link)


def refusals(bridge_dir: Path, cases: list[Case]) -> tuple[list[str], dict[str, int]]:
    """(what went wrong, count per error code) over the responses to ``cases``."""
    wrong: list[str] = []
    codes: dict[str, int] = {}
    for c in cases:
        path = bridge_dir / "responses" / f"{c.rid}.json"
        if not path.exists():
            wrong.append(f"{c.label}: no response")
            continue
        resp: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        error = resp.get("error") or {}
        if resp.get("ok") is not False or error.get("code") not in REFUSAL_CODES or not error.get("message"):
            wrong.append(f"{c.label}: {str(resp)[:160]}")
        codes[error.get("code", "?")] = codes.get(error.get("code", "?"), 0) + 1
    return wrong, codes


def test_python_bridge_refuses_every_hostile_request(tmp_path: Path) -> None:
    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    project = small_project()
    project.markers.append(Marker(3, 4.0, "[daw-bridge] earlier finding", "#ff0000"))
    ex = BridgeExecutor(project, f.bridge, f.bounces)
    now = time.time()
    # an executed request whose id comes back later (duplicate), its response already collected
    done = envelope("duplicate0001", "clear_markers", {}, now)
    (f.bridge / "requests" / "duplicate0001.json").write_text(json.dumps(done))
    assert ex.run() == 1
    (f.bridge / "responses" / "duplicate0001.json").unlink()

    cases = hostile_requests(f, now) + mutations(f, now, seed=1, count=MUTATIONS)
    cases.append(Case("duplicate0001", json.dumps(done).encode(), "duplicate id"))
    write_cases(f.bridge / "requests", cases)
    # the duplicate goes first: the bridge remembers only the last 256 ids it answered
    os.utime(f.bridge / "requests" / "duplicate0001.json", (now - 60, now - 60))
    before, outside, bounces = project.snapshot(), tree_state(f.outside), tree_state(f.bounces)
    done_before = before.get_ext_state("daw_bridge", "done_ids")

    assert ex.run() == len(cases)
    wrong, codes = refusals(f.bridge, cases)
    assert wrong == [], "\n".join(wrong)
    assert codes.get("duplicate") == 1 and codes.get("path_refused", 0) >= 15
    assert list((f.bridge / "requests").iterdir()) == []
    project.set_ext_state("daw_bridge", "done_ids", done_before or "")
    assert project == before, "a refused request changed the project"
    assert tree_state(f.outside) == outside and tree_state(f.bounces) == bounces


def _lua_reaper(root: Path) -> Any:
    if shutil.which("lua5.4") is None:
        pytest.skip("the Lua bridge needs lua5.4 (apt-get install lua5.4 lua-busted)")
    from tests.test_lua_bridge_crosslang import LuaReaper

    return LuaReaper(root)


MUTATING_CALLS = ("AddProjectMarker2", "DeleteProjectMarkerByIndex", "Main_OnCommand", "InsertMedia",
                  "InsertTrackAtIndex", "TrackFX_AddByName", "TrackFX_SetParam", "TrackFX_Delete",
                  "Undo_BeginBlock2", "GetSetProjectInfo_String")


def test_lua_bridge_refuses_the_same_hostile_requests(tmp_path: Path) -> None:
    lua = _lua_reaper(tmp_path)
    f = make_folders(tmp_path, lua.cfg.bridge_dir, lua.cfg.bounce_dir)
    now = time.time()
    client = lua.client()
    client.set_project_state("before", "x")  # a first run: the project state file now exists
    done = envelope("duplicate0001", "clear_markers", {}, now)
    (f.bridge / "requests" / "duplicate0001.json").write_text(json.dumps(done))
    lua.run("bridge")
    (f.bridge / "responses" / "duplicate0001.json").unlink()
    calls_log = lua.state.with_name("state.json.calls")
    calls_log.unlink()
    state_before = json.loads(lua.state.read_text())

    # lexical confinement only on the Lua side (no realpath in REAPER): symlinks are left to the controller
    cases = hostile_requests(f, now, symlinks=False) + mutations(f, now, seed=1, count=MUTATIONS)
    cases.append(Case("duplicate0001", json.dumps(done).encode(), "duplicate id"))
    write_cases(f.bridge / "requests", cases)
    outside, bounces = tree_state(f.outside), tree_state(f.bounces)
    lua.run("bridge")

    wrong, codes = refusals(f.bridge, cases)
    assert wrong == []
    assert codes.get("duplicate") == 1 and codes.get("path_refused", 0) >= 10
    assert list((f.bridge / "requests").iterdir()) == []
    after = json.loads(lua.state.read_text())
    after["proj_ext"]["daw_bridge"].pop("done_ids")
    state_before["proj_ext"]["daw_bridge"].pop("done_ids")
    assert after == state_before, "a refused request changed the project"
    made = [json.loads(line)["name"] for line in calls_log.read_text().splitlines()]
    assert [c for c in made if c in MUTATING_CALLS] == []
    assert tree_state(f.outside) == outside and tree_state(f.bounces) == bounces


def test_controller_refuses_escaping_paths_before_writing(tmp_path: Path) -> None:
    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    triggered: list[int] = []
    client = BridgeClient(f.bridge, lambda: triggered.append(1), timeout_s=0.2, allowed_roots=(f.bridge, f.bounces))
    assert f.link is not None
    for directory in (f.outside, Path("/etc"), f.bounces / ".." / "outside", f.link, f.link / "deeper",
                      Path("relative")):
        with pytest.raises(BridgePathError):
            client.render({"directory": str(directory), "file_name": "x.wav"})
    with pytest.raises(BridgePathError):
        client.insert_media("REF", f.link / "secret.wav")
    with pytest.raises(BridgeRefused):
        client.request("os.execute", {"cmd": "true"})
    assert triggered == [] and list((f.bridge / "requests").iterdir()) == []


def test_python_bridge_answers_a_deeply_nested_request_and_keeps_serving(tmp_path: Path) -> None:
    """A request nested 50,000 deep must get ``bad_json`` and must not wedge the bridge for later requests."""
    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    ex = BridgeExecutor(small_project(), f.bridge, f.bounces)
    (f.bridge / "requests" / "deepnest0001.json").write_bytes(b"[" * 50_000 + b"]" * 50_000)
    now = time.time()
    (f.bridge / "requests" / "pingafter001.json").write_text(json.dumps(envelope("pingafter001", "ping", {}, now)))
    assert ex.run() == 2
    deep = json.loads((f.bridge / "responses" / "deepnest0001.json").read_text())
    assert deep["ok"] is False and deep["error"]["code"] == "bad_json"
    assert json.loads((f.bridge / "responses" / "pingafter001.json").read_text())["ok"] is True


def test_event_watcher_survives_a_deeply_nested_event(tmp_path: Path) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path / "bridge", got.append)
    events = tmp_path / "bridge" / "events"
    (events / "1-a.json").write_bytes(b"[" * 30_000 + b"]" * 30_000)  # under the 64 KiB event cap
    (events / "2-b.json").write_text(json.dumps({"protocol": 1, "event": "check", "time": time.time()}))
    watcher.poll_once()
    assert [e["event"] for e in got] == ["check"]
    assert watcher.malformed == 1


def test_controller_maps_a_deeply_nested_response_to_bridge_refused(tmp_path: Path) -> None:
    bridge_dir = tmp_path / "bridge"

    def answer() -> None:
        req = next((bridge_dir / "requests").glob("*.json"))
        (bridge_dir / "responses" / req.name).write_bytes(b"[" * 50_000 + b"]" * 50_000)

    client = BridgeClient(bridge_dir, answer, timeout_s=2.0)
    with pytest.raises(BridgeRefused):
        client.ping()


BIG = "9" * 401  # a 401-digit integer: beyond a double, so float() overflows on it


def huge_number_cases(f: Folders, now: float) -> list[Case]:
    """Valid requests with one numeric field (envelope or argument) written as a 401-digit integer, or 1e400."""
    marker = {"time_s": 1.0, "name": "x", "color": "#ff0000"}
    bases: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [
        ("ping", {}, ("protocol",)),
        ("ping", {}, ("created",)),
        ("ping", {}, ("expires",)),
        ("align_item", {"track_name": "Track-1 vox", "offset_s": 0.5}, ("args", "offset_s")),
        ("insert_media", {"track_name": "REF", "path": str(f.bounces / "existing.wav"), "position_s": 0.0},
         ("args", "position_s")),
        ("replace_markers", {"markers": [marker]}, ("args", "markers", 0, "time_s")),
    ]
    cases: list[Case] = []
    for n, (op, args, field) in enumerate(bases):
        for k, literal in enumerate((BIG, "-" + BIG, "1e400")):
            rid = f"hugenum{n:02d}{k}"
            request = envelope(rid, op, json.loads(json.dumps(args)), now)
            target: Any = request
            for key in field[:-1]:
                target = target[key]
            target[field[-1]] = "@@HUGE@@"
            raw = json.dumps(request).replace('"@@HUGE@@"', literal).encode()
            cases.append(Case(rid, raw, f"{op} {'.'.join(map(str, field))} = {literal[:12]}..."))
    return cases


def test_python_bridge_answers_huge_numbers_bad_json_and_keeps_serving(tmp_path: Path) -> None:
    """A 401-digit integer in any numeric field raised OverflowError out of run(): never answered, never removed,
    and every later request (ping included) went unanswered. Now ``bad_json``, as the Lua bridge answers."""
    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    project = small_project()
    ex = BridgeExecutor(project, f.bridge, f.bounces)
    now = time.time()
    cases = huge_number_cases(f, now)
    write_cases(f.bridge / "requests", cases)
    ping = envelope("pingafter001", "ping", {}, now)
    (f.bridge / "requests" / "pingafter001.json").write_text(json.dumps(ping))
    os.utime(f.bridge / "requests" / "pingafter001.json", (now + 60, now + 60))  # the last in the queue
    before = project.snapshot()
    assert ex.run() == len(cases) + 1
    for c in cases:
        resp = json.loads((f.bridge / "responses" / f"{c.rid}.json").read_text())
        assert resp["ok"] is False and resp["error"]["code"] == "bad_json", (c.label, resp)
    assert json.loads((f.bridge / "responses" / "pingafter001.json").read_text())["ok"] is True
    assert list((f.bridge / "requests").iterdir()) == []
    assert project.markers == before.markers and project.tracks == before.tracks


def test_lua_bridge_answers_the_same_huge_numbers_bad_json(tmp_path: Path) -> None:
    lua = _lua_reaper(tmp_path)
    f = make_folders(tmp_path, lua.cfg.bridge_dir, lua.cfg.bounce_dir)
    cases = huge_number_cases(f, time.time())
    write_cases(f.bridge / "requests", cases)
    lua.run("bridge")
    for c in cases:
        resp = json.loads((f.bridge / "responses" / f"{c.rid}.json").read_text())
        assert resp["ok"] is False and resp["error"]["code"] == "bad_json", (c.label, resp)


def test_python_bridge_answers_an_unexpected_failure_and_goes_on(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever escapes one request (here a bug planted in ping) is answered ``internal``; the queue goes on."""
    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    ex = BridgeExecutor(small_project(), f.bridge, f.bounces)
    calls = iter([ZeroDivisionError("planted"), None])

    def ping(args: dict[str, Any]) -> dict[str, Any]:
        err = next(calls)
        if err is not None:
            raise err
        return {"pong": True}

    ex.ops["ping"] = ping
    now = time.time()
    for i, rid in enumerate(("brokenping01", "goodping0001")):
        (f.bridge / "requests" / f"{rid}.json").write_text(json.dumps(envelope(rid, "ping", {}, now)))
        os.utime(f.bridge / "requests" / f"{rid}.json", (now + i, now + i))
    assert ex.run() == 2
    bad = json.loads((f.bridge / "responses" / "brokenping01.json").read_text())
    assert bad["error"]["code"] == "internal" and "planted" in bad["error"]["message"]
    assert json.loads((f.bridge / "responses" / "goodping0001.json").read_text())["ok"] is True
    assert list((f.bridge / "requests").iterdir()) == []


def test_python_bridge_answers_a_fifo_or_device_request_without_blocking(tmp_path: Path) -> None:
    """As the Lua mailbox does: an entry that is not a regular file is answered (``io``) and removed, never read."""
    import threading

    f = make_folders(tmp_path, tmp_path / "bridge", tmp_path / "bounces")
    ex = BridgeExecutor(small_project(), f.bridge, f.bounces)
    now = time.time()
    os.mkfifo(f.bridge / "requests" / "fifo00000001.json")
    os.symlink("/dev/zero", f.bridge / "requests" / "zero00000001.json")
    (f.bridge / "requests" / "folder000001.json").mkdir()  # not listed, as REAPER's EnumerateFiles does not
    (f.bridge / "requests" / "pingafter001.json").write_text(json.dumps(envelope("pingafter001", "ping", {}, now)))
    done: list[int] = []
    runner = threading.Thread(target=lambda: done.append(ex.run()), daemon=True)
    runner.start()
    runner.join(10)
    assert done == [3], "the bridge blocked on a FIFO or read a device"
    for rid in ("fifo00000001", "zero00000001"):
        resp = json.loads((f.bridge / "responses" / f"{rid}.json").read_text())
        assert resp["ok"] is False and resp["error"]["code"] == "io"
        assert not os.path.lexists(f.bridge / "requests" / f"{rid}.json")
    assert json.loads((f.bridge / "responses" / "pingafter001.json").read_text())["ok"] is True
