"""The controller's event watcher against a hostile ``events/`` folder (issue 17's attack).

FIFOs, symlinks to /dev/zero, folders named like events, oversized and half-written files: none may stall a pass,
grow memory, break later events or lose a real one. The soak runs ``serve`` itself with a hostile writer mixed
with real events (3 s here, 60 s with ``--slow``; figures in docs/reliability.md).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from daw_bridge.reaper.bridge import EventWatcher, write_json_atomic

from .hostile import HostileWriter, run_soak

EVENT = {"protocol": 1, "event": "check", "time": 1.0}


def poll_in_thread(watcher: EventWatcher, timeout_s: float = 5.0) -> int:
    """One pass, which must end within ``timeout_s`` (a blocked pass fails the test instead of hanging it)."""
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(watcher.poll_once()), daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"poll_once still blocked after {timeout_s} s"
    return result[0]


def quarantined(bridge_dir: Path) -> list[str]:
    folder = bridge_dir / "quarantine"
    return sorted(p.name.split("-", 2)[2] for p in folder.iterdir()) if folder.exists() else []


def test_a_fifo_event_does_not_block_the_watcher(tmp_path: Path) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path / "bridge", got.append)
    os.mkfifo(tmp_path / "bridge" / "events" / "1-fifo.json")
    write_json_atomic(tmp_path / "bridge" / "events" / "2-real.json", EVENT)
    assert poll_in_thread(watcher) == 1
    assert [e["event"] for e in got] == ["check"]
    assert quarantined(tmp_path / "bridge") == ["1-fifo.json"]
    assert list((tmp_path / "bridge" / "events").iterdir()) == []


def test_a_symlink_to_dev_zero_is_moved_aside_without_reading_it(tmp_path: Path) -> None:
    """Run in a child process capped at 1 GiB of address space: without the fix it reads /dev/zero until
    MemoryError (the child fails) instead of eating the test machine's memory."""
    bridge = tmp_path / "bridge"
    (bridge / "events").mkdir(parents=True)
    os.symlink("/dev/zero", bridge / "events" / "1-zero.json")
    write_json_atomic(bridge / "events" / "2-real.json", EVENT)
    code = textwrap.dedent(
        f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from daw_bridge.reaper.bridge import EventWatcher
        got = []
        w = EventWatcher({str(bridge)!r}, got.append)
        n = w.poll_once() + w.poll_once()
        print(json.dumps({{"delivered": n, "events": [e["event"] for e in got]}}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"delivered": 1, "events": ["check"]}
    assert quarantined(bridge) == ["1-zero.json"]
    assert (bridge / "quarantine").iterdir().__next__().is_symlink()  # the link moved, not what it points to


def test_a_folder_named_like_an_event_does_not_end_the_pass(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path / "bridge", got.append)
    events = tmp_path / "bridge" / "events"
    (events / "1-dir.json").mkdir()
    (events / "1-dir.json" / "inside").write_text("user data")
    write_json_atomic(events / "2-real.json", EVENT)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            poll_in_thread(watcher)
    assert [e["event"] for e in got] == ["check"]
    assert quarantined(tmp_path / "bridge") == ["1-dir.json"]
    moved = next((tmp_path / "bridge" / "quarantine").iterdir())
    assert (moved / "inside").read_text() == "user data"  # moved whole, nothing deleted
    assert len([r for r in caplog.records if "1-dir.json" in r.getMessage()]) == 1  # logged once
    assert not [r for r in caplog.records if r.exc_info]  # no traceback


def test_an_oversized_event_is_not_read_or_logged_whole(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    said: list[str] = []
    from daw_bridge.workflows.controller import Controller

    controller = Controller(daw=None, cfg=None, say=said.append)  # type: ignore[arg-type]
    watcher = EventWatcher(tmp_path / "bridge", controller.handle)
    events = tmp_path / "bridge" / "events"
    big = json.dumps({"protocol": 1, "event": "x" * 2_000_000, "time": 1.0})
    (events / "1-big.json").write_text(big)
    near_cap = json.dumps({"protocol": 1, "event": "y" * (64 * 1024 - 100), "time": 1.0})
    (events / "2-near.json").write_text(near_cap)
    write_json_atomic(events / "3-ab.json", {"protocol": 1, "event": "ab", "note": "z" * 60_000, "time": 1.0})
    sparse = events / "4-sparse.json"
    with open(sparse, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    with caplog.at_level(logging.INFO):
        poll_in_thread(watcher)
    assert quarantined(tmp_path / "bridge") == ["1-big.json", "4-sparse.json"]
    assert len(said) == 2 and all(len(line) < 400 for line in said), [len(s) for s in said]
    assert all(len(r.getMessage()) < 400 for r in caplog.records)


def test_a_half_written_event_is_retried_not_lost(tmp_path: Path) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path / "bridge", got.append)
    path = tmp_path / "bridge" / "events" / "1-slow.json"
    whole = json.dumps({"protocol": 1, "event": "match", "mode": "midrange", "time": 1.0}).encode()
    for cut in (0, 1, 9, 17, len(whole) - 1):  # empty, mid-key, mid-string, before the closing brace
        path.write_bytes(whole[:cut])
        assert poll_in_thread(watcher) == 0
        assert path.exists(), f"the event cut at {cut} bytes was deleted"
    path.write_bytes(whole)
    assert poll_in_thread(watcher) == 1
    assert got == [json.loads(whole)] and watcher.malformed == 0


def test_a_cut_event_that_stays_cut_is_dropped_after_the_settle_time(tmp_path: Path) -> None:
    watcher = EventWatcher(tmp_path / "bridge", lambda e: None)
    path = tmp_path / "bridge" / "events" / "1-cut.json"
    path.write_bytes(b'{"event": "ma')
    assert poll_in_thread(watcher) == 0 and path.exists()
    old = time.time() - 3.0
    os.utime(path, (old, old))
    poll_in_thread(watcher)
    assert not path.exists() and watcher.malformed == 1


def test_an_entry_that_cannot_be_moved_aside_is_logged_once_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[dict[str, Any]] = []
    watcher = EventWatcher(tmp_path / "bridge", got.append)
    (tmp_path / "bridge" / "quarantine").write_text("not a folder")  # so nothing can be moved there
    os.mkfifo(tmp_path / "bridge" / "events" / "1-fifo.json")
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            write_json_atomic(tmp_path / "bridge" / "events" / f"2-real{i}.json", EVENT)
            assert poll_in_thread(watcher) == 1
    assert len(got) == 5
    assert len([r for r in caplog.records if "1-fifo.json" in r.getMessage()]) == 1


def test_serve_soak_with_a_hostile_events_folder(tmp_path: Path) -> None:
    """3 s of ``serve`` with a hostile writer: every real event handled, each within 1 s."""
    figures = run_soak(tmp_path, seconds=3.0)
    assert figures.lost == 0 and figures.real > 10
    assert figures.max_latency_s < 1.0, figures
    assert figures.stop_s < 2.0, figures


@pytest.mark.slow
def test_serve_soak_60_s(tmp_path: Path) -> None:
    figures = run_soak(tmp_path, seconds=60.0)
    print(figures)
    assert figures.lost == 0 and figures.max_latency_s < 1.0 and figures.stop_s < 2.0, figures


def test_hostile_writer_makes_every_kind(tmp_path: Path) -> None:
    """The soak's writer really plants each hostile kind (else the soak proves nothing)."""
    events = tmp_path / "events"
    events.mkdir()
    writer = HostileWriter(events, seed=3)
    kinds = {writer.plant() for _ in range(60)}
    assert kinds == set(HostileWriter.KINDS)


@pytest.mark.parametrize("kind", ["fifo", "zero_link"])
def test_an_entry_swapped_after_lstat_is_still_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The race: ``lstat`` saw a regular file, then a FIFO or a link took its name. The open (``O_NONBLOCK |
    O_NOFOLLOW``) and ``fstat`` on the descriptor still refuse it."""
    from daw_bridge.reaper import bridge as bridge_mod

    path = tmp_path / "1-swap.json"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    regular = tmp_path / "regular"
    regular.write_text("{}")
    real_lstat = os.lstat
    monkeypatch.setattr(bridge_mod.os, "lstat", lambda p, *a, **k: real_lstat(regular if Path(p) == path else p))
    result: list[BaseException] = []

    def read() -> None:
        try:
            bridge_mod.read_event_bytes(path)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            result.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "the open blocked"
    assert len(result) == 1 and isinstance(result[0], bridge_mod.EventUnreadable), result
