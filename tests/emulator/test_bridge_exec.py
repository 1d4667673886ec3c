"""The emulator's bridge executor: every op, path refusal, malformed/unknown/stale/duplicate requests, atomicity."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from daw_bridge.emulator.bridge_exec import BridgeExecutor
from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.project import Fx, Marker, Project, Track, trim_fx
from daw_bridge.emulator.project_file import load_project, save_project

from .util import sine, write_wav


class Box:
    """A mailbox with an executor over a two-track project."""

    def __init__(self, root: Path) -> None:
        self.bridge = root / "bridge"
        self.bounces = root / "bounces"
        (self.bridge / "requests").mkdir(parents=True)
        self.bounces.mkdir()
        self.audio = write_wav(self.bounces / "ref.wav", sine(440.0, seconds=0.5))
        self.project = Project(tracks=[Track("MIX", audio=self.audio, fx=[trim_fx(-1.0)]), Track("REF 1")])
        self.project.markers = [Marker(1, 1.0, "Chorus"), Marker(2, 2.0, "[daw-bridge] old", "#ff0000")]
        self.project.monitor_fx = [Fx("VST: Sonarworks")]
        self.ex = BridgeExecutor(self.project, self.bridge, self.bounces)
        self.n = 0

    def write(self, op: str, args: dict[str, Any] | None = None, *, rid: str | None = None,
              expires: float | None = None, raw: str | None = None, **extra: Any) -> str:
        self.n += 1
        rid = rid or f"req{self.n:05d}x"
        body = {"protocol": 1, "id": rid, "op": op, "args": args or {}, "created": time.time(),
                "expires": time.time() + 30 if expires is None else expires, **extra}
        path = self.bridge / "requests" / f"{rid}.json"
        path.write_text(raw if raw is not None else json.dumps(body))
        os.utime(path, (time.time(), time.time() + self.n * 0.001))  # oldest first = written first
        return rid

    def response(self, rid: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.bridge / "responses" / f"{rid}.json").read_text())
        return data

    def call(self, op: str, args: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        rid = self.write(op, args, **kw)
        self.ex.run()
        assert not (self.bridge / "requests" / f"{rid}.json").exists()  # request deleted
        return self.response(rid)


@pytest.fixture
def box(tmp_path: Path) -> Box:
    return Box(tmp_path)


def ok(resp: dict[str, Any]) -> Any:
    assert resp["ok"] is True, resp
    return resp["result"]


def code(resp: dict[str, Any]) -> str:
    assert resp["ok"] is False
    return str(resp["error"]["code"])


def test_ping_and_bridge_heartbeat(box: Box) -> None:
    assert ok(box.call("ping"))["protocol"] == 1
    assert json.loads((box.bridge / "bridge.json").read_text())["protocol"] == 1


def test_get_state(box: Box) -> None:
    box.project.loop_start_s, box.project.loop_end_s = 1.0, 2.0
    state = ok(box.call("get_state", {"keys": ["sample_rate", "length_s", "markers", "monitor_fx",
                                               "time_selection"]}))
    assert state["sample_rate"] == 48000 and state["length_s"] == pytest.approx(0.5)
    assert state["markers"][1] == {"number": 2, "time_s": 2.0, "end_s": None, "name": "[daw-bridge] old",
                                   "color": "#ff0000", "ours": False, "id": box.project.markers[1].guid}
    assert state["monitor_fx"] == [{"index": 1, "name": "VST: Sonarworks", "enabled": True}]
    assert state["time_selection"] == {"start_s": 1.0, "end_s": 2.0}
    assert code(box.call("get_state", {"keys": ["secrets"]})) == "bad_args"


def test_replace_and_clear_markers_touch_only_ours(box: Box) -> None:
    ok(box.call("replace_markers", {"markers": [{"time_s": 5.0, "name": "old finding", "color": None}]}))
    result = ok(box.call("replace_markers", {"markers": [
        {"time_s": 12.0, "end_s": None, "name": "reverb 4.2 dB drier", "color": "#3399ff"},
        {"time_s": 3.0, "end_s": 6.0, "name": "narrow", "color": None}]}))
    assert result == {"deleted": 1, "added": 2}
    names = {(m.name, m.color, m.end_s) for m in box.project.markers}
    assert names == {("Chorus", None, None), ("[daw-bridge] old", "#ff0000", None),
                     ("[daw-bridge] reverb 4.2 dB drier", "#3399ff", None), ("[daw-bridge] narrow", None, 6.0)}
    assert ok(box.call("clear_markers")) == {"deleted": 2}
    assert [m.name for m in box.project.markers] == ["Chorus", "[daw-bridge] old"]
    assert box.project.undo_history == ["daw-bridge: replace_markers"] * 2 + ["daw-bridge: clear_markers"]


def test_markers_are_ours_by_id_across_a_rename_a_renumbering_and_a_save(box: Box, tmp_path: Path) -> None:
    """A user's marker named like ours stays; one of ours the user renamed and renumbered is still found, also
    after the project is saved and loaded again (the IDs live in the project's ext state)."""
    ok(box.call("replace_markers", {"markers": [{"time_s": 4.0, "name": "drier", "color": None}]}))
    mine = next(m for m in box.project.markers if m.name == "[daw-bridge] drier")
    mine.name, mine.number = "Chorus take 2", 17
    listed = ok(box.call("get_state", {"keys": ["markers"]}))["markers"]
    assert [(m["name"], m["ours"]) for m in listed] == [
        ("Chorus", False), ("[daw-bridge] old", False), ("Chorus take 2", True)]
    saved = load_project(save_project(box.project, tmp_path / "p.toml"))
    assert [m.guid for m in saved.markers] == [m.guid for m in box.project.markers]
    ex = BridgeExecutor(saved, box.bridge, box.bounces)
    box.ex = ex
    assert ok(box.call("replace_markers", {"markers": [{"time_s": 9.0, "name": "wider", "color": None}]})) == {
        "deleted": 1, "added": 1}
    assert [m.name for m in saved.markers] == ["Chorus", "[daw-bridge] old", "[daw-bridge] wider"]


def test_failing_request_changes_nothing(box: Box) -> None:
    before = box.project.snapshot()
    resp = box.call("replace_markers", {"markers": [{"time_s": 1.0, "name": "fine", "color": None},
                                                    {"time_s": -1.0, "name": "bad", "color": None}]})
    assert code(resp) == "bad_args" and "markers[1].time_s" in resp["error"]["message"]
    assert box.project.markers == before.markers and box.project.undo_history == []
    resp = box.call("insert_media", {"track_name": "NEW", "path": str(box.bounces / "missing.wav")})
    assert code(resp) == "bad_args" and [t.name for t in box.project.tracks] == ["MIX", "REF 1"]


def test_render_writes_the_mix_and_refuses_to_overwrite(box: Box) -> None:
    result = ok(box.call("render", {"directory": str(box.bounces / "mixes"), "file_name": "mix-001.wav",
                                    "sample_rate": 48000, "channels": 2, "bit_depth": 24}))
    out = box.bounces / "mixes" / "mix-001.wav"
    assert result == {"files": [str(out)], "duration_s": pytest.approx(0.5)}
    data, rate = sf.read(str(out))
    src, _ = sf.read(str(box.audio))
    assert rate == 48000 and np.allclose(data, src * 10 ** (-1 / 20), atol=1e-4)  # track trim -1 dB
    again = box.call("render", {"directory": str(box.bounces / "mixes"), "file_name": "mix-001.wav"})
    assert code(again) == "exists"
    assert code(box.call("render", {"directory": str(box.bounces), "file_name": "../x.wav"})) == "bad_args"


@pytest.mark.parametrize("where", ["dotdot", "outside", "relative", "symlink"])
def test_paths_outside_the_allowed_folders_are_refused(box: Box, tmp_path: Path, where: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    directories = {
        "dotdot": str(box.bounces / ".." / "elsewhere"),
        "outside": str(outside),
        "relative": "bounces",
    }
    directory = directories.get(where, "")
    if where == "symlink":
        link = box.bounces / "link"
        link.symlink_to(outside, target_is_directory=True)
        directory = str(link)
    resp = box.call("render", {"directory": directory, "file_name": "x.wav"})
    assert code(resp) == "path_refused"
    assert not list(outside.iterdir())
    write_wav(outside / "o.wav", sine(100.0, seconds=0.1))
    media = directory + "/o.wav" if where != "relative" else "o.wav"
    assert code(box.call("insert_media", {"track_name": "X", "path": media})) == "path_refused"


def test_set_monitor_chain_touches_only_the_monitoring_chain(box: Box) -> None:
    track_fx = [(f.name, dict(f.params)) for f in box.project.tracks[0].fx]
    result = ok(box.call("set_monitor_chain", {"chain": [
        {"kind": "correction", "enabled": True, "params": {"preamp_db": -6.1, "band1_type": "peak",
                                                            "band1_freq": 105.0}},
        {"kind": "crossfeed", "enabled": False, "params": {}}]}))
    assert [f["name"] for f in result["fx"]] == ["VST: Sonarworks", "JS: daw-bridge/correction",
                                                 "JS: daw-bridge/crossfeed"]
    assert [f["enabled"] for f in result["fx"]] == [True, True, False]
    correction = box.project.monitor_fx[1]
    assert correction.params["preamp_db"] == -6.1 and correction.params["band1_freq"] == 105.0
    assert [(f.name, dict(f.params)) for f in box.project.tracks[0].fx] == track_fx
    ok(box.call("set_monitor_chain", {"chain": [{"kind": "crossfeed", "enabled": True},
                                                {"kind": "correction", "params": {"preamp_db": -3.0}}]}))
    assert [f.name for f in box.project.monitor_fx][1:] == ["JS: daw-bridge/crossfeed", "JS: daw-bridge/correction"]
    assert box.project.monitor_fx[2].params["band1_freq"] == 105.0  # untouched sliders keep their values
    bad = box.call("set_monitor_chain", {"chain": [{"kind": "correction", "params": {"nope": 1.0}}]})
    assert code(bad) == "bad_args" and "nope" in bad["error"]["message"]


def test_insert_media_creates_or_reuses_the_track(box: Box) -> None:
    assert ok(box.call("insert_media", {"track_name": "REF 1", "path": str(box.audio), "position_s": 2.0})) == {
        "track": 2}
    assert box.project.tracks[1].audio == box.audio.resolve() and box.project.tracks[1].offset_s == 2.0
    assert ok(box.call("insert_media", {"track_name": "REF 3", "path": str(box.audio)})) == {"track": 3}


def test_project_state(box: Box) -> None:
    assert ok(box.call("get_project_state", {"key": "ab_state"})) == {"value": None}
    assert ok(box.call("set_project_state", {"key": "ab_state", "value": '{"current": "mix"}'})) == {}
    assert ok(box.call("get_project_state", {"key": "ab_state"})) == {"value": '{"current": "mix"}'}
    assert code(box.call("set_project_state", {"key": "ab_state", "value": 3})) == "bad_args"


def test_malformed_unknown_protocol_stale_and_too_large(box: Box) -> None:
    assert code(box.call("ping", raw="{not json")) == "bad_json"
    assert code(box.call("rm_rf", {})) == "unknown_op"
    assert code(box.call("ping", protocol=2)) == "protocol"
    assert code(box.call("ping", expires=time.time() - 5)) == "stale"
    assert code(box.call("ping", raw='{"pad": "' + "x" * (1 << 20) + '"}')) == "too_large"
    rid = box.write("ping")
    body = json.loads((box.bridge / "requests" / f"{rid}.json").read_text())
    body["id"] = "someoneelse1"
    (box.bridge / "requests" / f"{rid}.json").write_text(json.dumps(body))
    box.ex.run()
    assert code(box.response(rid)) == "bad_args"


def test_duplicate_ids_never_run_twice(box: Box) -> None:
    args = {"markers": [{"time_s": 1.0, "name": "a", "color": None}]}
    first = box.call("replace_markers", args, rid="dup-000001")
    assert ok(first)["added"] == 1
    # the response is still there: never overwritten, request dropped, nothing run
    box.call("replace_markers", {"markers": []}, rid="dup-000001")
    assert box.response("dup-000001") == first and len(box.project.markers) == 3  # the user's two and ours
    (box.bridge / "responses" / "dup-000001.json").unlink()
    assert code(box.call("replace_markers", {"markers": []}, rid="dup-000001")) == "duplicate"
    assert len(box.project.markers) == 3


def test_oldest_first_and_atomic_writes(box: Box) -> None:
    a = box.write("set_project_state", {"key": "k", "value": "first"})
    b = box.write("set_project_state", {"key": "k", "value": "second"})
    assert box.ex.run() == 2
    assert ok(box.response(a)) == {} and ok(box.response(b)) == {}
    assert box.project.get_ext_state("daw_bridge", "k") == "second"
    leftovers = [p.name for p in (box.bridge / "responses").iterdir() if not p.name.endswith(".json")]
    assert leftovers == [] and list((box.bridge / "requests").iterdir()) == []


def test_through_the_client_and_the_osc_trigger(tmp_path: Path) -> None:
    bridge_mod = pytest.importorskip("daw_bridge.reaper.bridge")
    from daw_bridge.osc.codec import Message, encode_message

    emu = Emulator(Project(tracks=[Track("MIX")]), bridge_dir=tmp_path / "b", bounce_dir=tmp_path / "o")
    trigger = lambda: emu.handle_packet(  # noqa: E731
        encode_message(Message("/action/str", ("_RSdawbridge_bridge",))), lambda _p: None)
    client = bridge_mod.BridgeClient(tmp_path / "b", trigger, timeout_s=2.0)
    assert client.ping()["protocol"] == 1
    client.replace_markers([{"time_s": 1.0, "end_s": None, "name": "x", "color": "#112233"}])
    assert emu.project.markers[0].name == "[daw-bridge] x" and emu.bridge_runs == 2
