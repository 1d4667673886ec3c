"""Latency of the in-DAW -> controller events mechanism (docs/bridge-protocol.md, "Events").

A lua5.4 process runs our Lua events module (``daw_bridge/data/reaper/daw-bridge/lib/events.lua``, the code a shortcut
script runs inside REAPER) and writes one event per line it reads on stdin, printing ``written`` right after the
atomic rename. The controller's :class:`~daw_bridge.reaper.bridge.EventWatcher` polls ``events/`` in its thread.
Latency = time the watcher's handler sees the event - time the Lua side reported it written (same clock: the
Python process timestamps both). Figures for the documented 50 ms poll and a 10 ms poll.
"""

from __future__ import annotations

import functools
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from daw_bridge.reaper.bridge import EventWatcher, ensure_mailbox

ROUNDS = 40
SCRIPTS = Path(__file__).resolve().parent.parent / "daw_bridge" / "data" / "reaper" / "daw-bridge"
LUA_WRITER = """
package.path = arg[1] .. "/?.lua;" .. package.path
local events = require("lib.events")
local seq = 0
for line in io.lines() do
  if line ~= "go" then break end
  seq = seq + 1
  assert(events.write(arg[2], "check", os.time() + 0.0, { seq = seq }))
  io.stdout:write("written\\n"); io.stdout:flush()
end
"""


def measure(poll_s: float, rounds: int = ROUNDS) -> list[float]:
    """Per-event latencies in seconds with the watcher polling every ``poll_s`` seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        bridge_dir = ensure_mailbox(Path(tmp) / "bridge")
        seen: dict[int, float] = {}
        arrived = threading.Condition()

        def handler(event: dict[str, Any]) -> None:
            with arrived:
                seen[int(event["seq"])] = time.perf_counter()
                arrived.notify_all()

        writer = Path(tmp) / "writer.lua"
        writer.write_text(LUA_WRITER, encoding="utf-8")
        proc = subprocess.Popen(
            ["lua5.4", str(writer), str(SCRIPTS), str(bridge_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        assert proc.stdin is not None and proc.stdout is not None
        latencies = []
        with EventWatcher(bridge_dir, handler, poll_s=poll_s):
            for seq in range(1, rounds + 1):
                time.sleep(0.013 * (seq % 7))  # spread writes over the poll phase
                proc.stdin.write("go\n")
                proc.stdin.flush()
                if proc.stdout.readline().strip() != "written":
                    raise RuntimeError("the Lua event writer failed")
                written = time.perf_counter()
                with arrived:
                    if not arrived.wait_for(functools.partial(seen.__contains__, seq), timeout=5.0):
                        raise RuntimeError(f"event {seq} never reached the watcher")
                latencies.append(seen[seq] - written)
        proc.stdin.close()
        proc.wait(timeout=5)
        return latencies


def main() -> None:
    if shutil.which("lua5.4") is None:
        print("   skipped: lua5.4 not installed")
        return
    for poll_s in (0.05, 0.01):
        lat = sorted(measure(poll_s))
        p95 = lat[int(0.95 * (len(lat) - 1))]
        print(
            f"   events, poll {poll_s * 1000:.0f} ms: median {statistics.median(lat) * 1000:.1f} ms, "
            f"mean {statistics.fmean(lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms "
            f"({len(lat)} events)"
        )


if __name__ == "__main__":
    main()
