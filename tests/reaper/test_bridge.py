"""BridgeClient against a fake executor thread: atomic mailbox, ids, timeouts, error mapping; EventWatcher."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from daw_bridge.errors import BridgePathError, BridgeRefused, BridgeTimeout
from daw_bridge.reaper.bridge import BridgeClient, EventWatcher, write_json_atomic

from .fake_bridge import FakeBridge, OpFailed


def test_request_round_trip_and_mailbox_hygiene(tmp_path: Path) -> None:
    box = tmp_path / "bridge"
    fake = FakeBridge(box, {"ping": lambda args: {"host": "fake", "protocol": 1}})
    client = BridgeClient(box, fake.trigger, timeout_s=5.0)
    assert client.ping() == {"host": "fake", "protocol": 1}
    for folder in (box, box / "requests", box / "responses", box / "events"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    request = fake.seen[0]
    assert request["protocol"] == 1 and request["op"] == "ping" and request["args"] == {}
    assert 8 <= len(request["id"]) <= 64 and request["expires"] > request["created"]
    assert list((box / "requests").iterdir()) == [] and list((box / "responses").iterdir()) == []


def test_each_request_has_its_own_id(tmp_path: Path) -> None:
    fake = FakeBridge(tmp_path, {"get_project_state": lambda args: {"value": args["key"].upper()}})
    client = BridgeClient(tmp_path, fake.trigger)
    assert client.get_project_state("ab") == "AB" and client.get_project_state("cd") == "CD"
    assert len({r["id"] for r in fake.seen}) == 2


@pytest.mark.parametrize(
    ("code", "error"), [("bad_args", BridgeRefused), ("exists", BridgeRefused), ("path_refused", BridgePathError)]
)
def test_error_codes_map_to_errors(tmp_path: Path, code: str, error: type[Exception]) -> None:
    def refuse(args: dict[str, Any]) -> dict[str, Any]:
        raise OpFailed(code, f"{code} happened")

    fake = FakeBridge(tmp_path, {"clear_markers": refuse})
    with pytest.raises(error, match=f"{code} happened") as info:
        BridgeClient(tmp_path, fake.trigger).clear_markers()
    if isinstance(info.value, BridgeRefused):
        assert info.value.code == code


def test_no_bridge_times_out_and_withdraws_the_request(tmp_path: Path) -> None:
    client = BridgeClient(tmp_path, lambda: None, timeout_s=0.1)
    with pytest.raises(BridgeTimeout, match="daw-bridge reaper install"):
        client.request("ping")
    assert list((tmp_path / "requests").glob("*.json")) == []


def test_client_side_refusals_never_reach_the_mailbox(tmp_path: Path) -> None:
    fake = FakeBridge(tmp_path, {})
    client = BridgeClient(tmp_path, fake.trigger, allowed_roots=(tmp_path,))
    with pytest.raises(BridgeRefused, match="not one of") as info:
        client.request("os.system", {"cmd": "rm -rf /"})
    assert info.value.code == "unknown_op"
    with pytest.raises(BridgePathError, match="absolute"):
        client.insert_media("REF", Path("relative.wav"))
    with pytest.raises(BridgePathError, match="outside"):
        client.render({"directory": str(tmp_path / ".." / "elsewhere"), "file_name": "x.wav"})
    assert fake.seen == []


def test_bad_responses_are_refused(tmp_path: Path) -> None:
    def wrong_protocol() -> None:
        for path in (tmp_path / "requests").glob("*.json"):
            req = json.loads(path.read_text())
            write_json_atomic(tmp_path / "responses" / path.name, {"protocol": 2, "id": req["id"], "ok": True})

    with pytest.raises(BridgeRefused, match="protocol") as info:
        BridgeClient(tmp_path, wrong_protocol).ping()
    assert info.value.code == "protocol"


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "a.json", {"x": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    with pytest.raises(ValueError):
        write_json_atomic(tmp_path / "b.json", {"x": float("nan")})
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_event_watcher_delivers_and_deletes_events(tmp_path: Path) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path, got.append)
    write_json_atomic(tmp_path / "events" / "1700000000001-a.json", {"protocol": 1, "event": "match", "time": 1.0})
    write_json_atomic(tmp_path / "events" / "1700000000002-b.json", {"protocol": 1, "event": "check", "time": 2.0})
    (tmp_path / "events" / "1700000000003-c.json").write_text("{not json")
    (tmp_path / "events" / "x.tmp-123").write_text("half")  # a write in progress: ignored
    assert watcher.poll_once() == 2
    assert [e["event"] for e in got] == ["match", "check"]
    assert watcher.malformed == 1
    assert [p.name for p in (tmp_path / "events").iterdir()] == ["x.tmp-123"]
    beat = json.loads((tmp_path / "controller.json").read_text())
    assert beat["pid"] > 0 and beat["time"] > 0


def test_timeout_names_the_daw_and_its_fix(tmp_path: Path) -> None:
    client = BridgeClient(tmp_path / "mb", lambda: None, timeout_s=0.05, host="Ardour",
                          setup_hint="is the daw-bridge hook running in Ardour?")
    with pytest.raises(BridgeTimeout, match="no response from the Ardour bridge .* hook running in Ardour"):
        client.ping()
