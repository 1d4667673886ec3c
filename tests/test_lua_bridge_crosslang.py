"""Python controller side and the REAPER Lua bridge (under lua5.4) on one mailbox folder.

The Python side is the real :class:`~daw_bridge.reaper.bridge.BridgeClient` / ``EventWatcher``; its trigger runs
``daw-bridge_Bridge.lua`` in a lua5.4 process against the stand-in ``reaper`` table (tests/lua/mock_reaper.lua),
whose project state persists between runs in a JSON file and whose API calls are logged for the assertions.
The stand-in knows our JSFX with the exact sliders of :mod:`daw_bridge.dsp.params`.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from daw_bridge import install as inst
from daw_bridge.config import Config
from daw_bridge.dsp.params import PARAMS, jsfx_name
from daw_bridge.errors import BridgePathError, BridgeRefused
from daw_bridge.reaper.bridge import BridgeClient, EventWatcher, ensure_mailbox, write_json_atomic
from tests.support.lua import missing_for_lua

RUNNER = Path(__file__).parent / "lua" / "crosslang_runner.lua"
REC_FX = 0x1000000

pytestmark = pytest.mark.skipif(missing_for_lua() is not None, reason=missing_for_lua() or "")


class LuaReaper:
    """A REAPER stand-in driven by lua5.4 processes over a shared mailbox."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cfg = Config(bridge_dir=root / "mailbox", bounce_dir=root / "bounces")
        self.resource = root / "REAPER"
        (self.resource / "Scripts").mkdir(parents=True)
        self.cfg.bounce_dir.mkdir()
        ensure_mailbox(self.cfg.bridge_dir)
        inst.install(self.resource, self.cfg, config_only=True)
        self.state = root / "state.json"
        self.catalog = root / "catalog.json"
        catalog = {
            jsfx_name(kind): {
                "params": [
                    {"name": s.description, "min": s.minimum, "max": s.maximum, "value": s.default,
                     "labels": list(s.choices)}  # named as REAPER's TrackFX_GetParamName reports a JSFX slider
                    for s in sliders
                ]
            }
            for kind, sliders in PARAMS.items()
        }
        self.catalog.write_text(json.dumps(catalog))
        self.runs: list[str] = []

    def run(self, *mode: str) -> str:
        proc = subprocess.run(
            ["lua5.4", str(RUNNER), str(self.state), str(self.catalog), str(self.resource), *mode],
            capture_output=True, text=True, timeout=30, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        self.runs.append(proc.stdout)
        return proc.stdout

    def client(self) -> BridgeClient:
        return BridgeClient(
            self.cfg.bridge_dir, lambda: self.run("bridge"), timeout_s=10.0,
            allowed_roots=(self.cfg.bridge_dir, self.cfg.bounce_dir),
        )

    def calls(self, name: str) -> list[list[Any]]:
        lines = (self.state.with_name("state.json.calls")).read_text().splitlines()
        return [c["args"] for c in map(json.loads, lines) if c["name"] == name]

    def project(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state.read_text())
        return data


@pytest.fixture
def lua(tmp_path: Path) -> LuaReaper:
    return LuaReaper(tmp_path)


def test_ping_and_bridge_info(lua: LuaReaper) -> None:
    assert lua.client().ping() == {"host": "REAPER 7.22/linux-x86_64", "protocol": 1}
    info = json.loads((lua.cfg.bridge_dir / "bridge.json").read_text())
    assert info["protocol"] == 1
    assert list((lua.cfg.bridge_dir / "requests").iterdir()) == []
    assert list((lua.cfg.bridge_dir / "responses").iterdir()) == [], "the client deletes the response it read"


def test_markers_round_trip_and_only_ours_are_replaced(lua: LuaReaper) -> None:
    client = lua.client()
    client.replace_markers([{"time_s": 12.0, "end_s": None, "name": "reverb 4.2 dB drier", "color": "#3399ff"}])
    result = client.replace_markers(
        [{"time_s": 3.5, "end_s": 9.0, "name": "too wide", "color": "#ff0000"},
         {"time_s": 20.0, "end_s": None, "name": "highs -2 dB", "color": "#00ff00"}]
    )
    assert result == {"deleted": 1, "added": 2}
    markers = client.get_state(["markers"])["markers"]
    assert [(m["time_s"], m["end_s"], m["name"], m["color"]) for m in markers] == [
        (3.5, 9.0, "[daw-bridge] too wide", "#ff0000"),
        (20.0, None, "[daw-bridge] highs -2 dB", "#00ff00"),
    ]
    assert client.clear_markers() == 2
    assert lua.project()["markers"] == []
    assert len(lua.calls("Undo_BeginBlock2")) == len(lua.calls("Undo_EndBlock2")) == 3
    undo_names = [a[1] for a in lua.calls("Undo_EndBlock2")]
    assert undo_names == ["daw-bridge: replace_markers"] * 2 + ["daw-bridge: clear_markers"]


def test_monitor_chain_with_the_real_slider_names(lua: LuaReaper) -> None:
    client = lua.client()
    result = client.set_monitor_chain(
        [
            {"kind": "correction", "enabled": True,
             "params": {"preamp_db": -6.1, "band1_type": "peak", "band1_freq": 105.0, "band1_gain": -3.5,
                        "band1_q": 0.7}},
            {"kind": "crossfeed", "enabled": False, "params": {"feed_db": 6.0}},
        ]
    )
    assert result["fx"] == [
        {"index": 1, "name": "JS: daw-bridge/correction", "enabled": True},
        {"index": 2, "name": "JS: daw-bridge/crossfeed", "enabled": False},
    ]
    eq = {p["name"]: p["value"] for p in lua.project()["rec_fx"][0]["params"]}
    assert eq["Preamp (dB)"] == -6.1 and eq["Band 1 frequency (Hz)"] == 105.0 and eq["Band 1 gain (dB)"] == -3.5
    assert eq["Band 1 type"] == PARAMS["correction"][1].choices.index("peak")
    set_calls = lua.calls("TrackFX_SetParam")
    assert len(set_calls) == 6 and all(c[1] >= REC_FX for c in set_calls), "monitoring FX addressed as 0x1000000+i"
    assert all(c[2] is True for c in lua.calls("TrackFX_AddByName")), "added with recFX=true (monitoring chain)"
    with pytest.raises(BridgeRefused, match="no slider named") as err:
        client.set_monitor_chain([{"kind": "crossfeed", "params": {"level": 1.0}}])
    assert err.value.code == "bad_args"


def test_render_reports_the_written_file_and_refuses_overwrite(lua: LuaReaper) -> None:
    client = lua.client()
    result = client.render({"directory": str(lua.cfg.bounce_dir), "file_name": "mix-001.wav", "sample_rate": 48000,
                            "channels": 2, "bit_depth": 24, "start_s": 0.0, "end_s": 31.5})
    assert result == {"files": [str(lua.cfg.bounce_dir / "mix-001.wav")], "duration_s": 31.5}
    assert (lua.cfg.bounce_dir / "mix-001.wav").exists()
    with pytest.raises(BridgeRefused) as err:
        client.render({"directory": str(lua.cfg.bounce_dir), "file_name": "mix-001.wav"})
    assert err.value.code == "exists"


def test_the_lua_side_refuses_paths_outside_its_folders_itself(lua: LuaReaper, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    client = BridgeClient(lua.cfg.bridge_dir, lambda: lua.run("bridge"), timeout_s=10.0, allowed_roots=(tmp_path,))
    with pytest.raises(BridgePathError, match="outside the daw-bridge folders"):
        client.render({"directory": str(outside), "file_name": "x.wav"})
    assert lua.calls("Main_OnCommand") == []
    (outside / "ref.wav").write_bytes(b"RIFF")
    with pytest.raises(BridgePathError):
        client.insert_media("REF 1", lua.cfg.bounce_dir / ".." / "elsewhere" / "ref.wav")
    assert lua.calls("InsertMedia") == []


def test_insert_media_and_project_state(lua: LuaReaper) -> None:
    client = lua.client()
    ref = lua.cfg.bridge_dir / "ref 1.wav"
    ref.write_bytes(b"RIFF")
    assert client.insert_media("REF 1", ref, position_s=2.0) == 1
    assert lua.project()["tracks"][0]["items"] == [{"path": str(ref), "pos": 2.0}]
    assert client.get_project_state("match_gains") is None
    client.set_project_state("match_gains", '{"REF 1": -3.2, "Réf": 1.0}')
    assert client.get_project_state("match_gains") == '{"REF 1": -3.2, "Réf": 1.0}'


def test_malformed_request_files_get_error_responses(lua: LuaReaper) -> None:
    box = lua.cfg.bridge_dir
    (box / "requests" / "brokenjson1.json").write_text("{nope", encoding="utf-8")
    rid = uuid.uuid4().hex
    now = time.time()
    write_json_atomic(box / "requests" / f"{rid}.json",
                      {"protocol": 1, "id": rid, "op": "os_execute", "args": {}, "created": now, "expires": now + 30})
    stale = uuid.uuid4().hex
    write_json_atomic(box / "requests" / f"{stale}.json",
                      {"protocol": 1, "id": stale, "op": "clear_markers", "args": {}, "created": now - 60,
                       "expires": now - 30})
    lua.run("bridge")
    answers = {p.stem: json.loads(p.read_text()) for p in (box / "responses").glob("*.json")}
    assert answers["brokenjson1"]["error"]["code"] == "bad_json"
    assert answers[rid]["error"]["code"] == "unknown_op"
    assert answers[stale]["error"]["code"] == "stale"
    assert list((box / "requests").iterdir()) == []


def test_shortcut_events_reach_the_python_watcher(lua: LuaReaper) -> None:
    seen: list[dict[str, Any]] = []
    watcher = EventWatcher(lua.cfg.bridge_dir, seen.append)
    out = lua.run("action", "Bounce and check")
    assert "not running" in out, "no heartbeat yet: the user is told, nothing is written"
    assert watcher.poll_once() == 0
    watcher.heartbeat()
    assert lua.run("action", "Level-match now") == ""
    assert watcher.poll_once() == 1
    assert seen[0]["event"] == "match" and seen[0]["protocol"] == 1
