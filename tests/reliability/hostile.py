"""A hostile ``events/`` writer and the ``serve`` soak that mixes it with real events (issue 17).

The writer plants, seeded, what the attack used: FIFOs, symlinks to /dev/zero, folders named like events, sparse
100 MB files, malformed JSON, and a JSON bomb nested 20,000 deep. Real events are ``ab`` events (the controller
only logs them, so their latency is the watcher's own); every fourth is written non-atomically in two halves
0.2 s apart, as a careless sync tool would. Latency is counted from the moment a real event is complete on disk
to the controller's line about it.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from daw_bridge.workflows.controller import serve
from daw_bridge.workflows.embedded import embedded_reaper

from .session import small_project


class HostileWriter:
    """Plants one hostile entry per :meth:`plant` in ``events`` (names sort among the real events)."""

    KINDS = ("fifo", "zero_link", "folder", "sparse", "malformed", "bomb")

    def __init__(self, events: Path, *, seed: int) -> None:
        self.events = events
        self.rng = random.Random(seed)
        self.n = 0

    def plant(self) -> str:
        kind = self.rng.choice(self.KINDS)
        self.n += 1
        path = self.events / f"{int(time.time() * 1000):013d}-h{self.n:06d}.json"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "zero_link":
            os.symlink("/dev/zero", path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "sparse":
            with open(path, "wb") as fh:
                fh.truncate(100 * 1024 * 1024)
        elif kind == "malformed":
            path.write_bytes(self.rng.randbytes(self.rng.randint(1, 300)))
        else:
            path.write_bytes(b"[" * 20_000 + b"]" * 20_000)
        return kind


@dataclass(frozen=True)
class SoakFigures:
    seconds: float
    real: int
    lost: int
    half_written: int
    hostile: int
    max_latency_s: float
    median_latency_s: float
    maxrss_growth_mb: float
    stop_s: float  #: from the stop request to serve() returning (SIGTERM took 5 s with a FIFO in events/)


def run_soak(folder: Path, *, seconds: float, seed: int = 17) -> SoakFigures:
    """Run ``serve`` on an emulated project for ``seconds`` with real and hostile events written side by side."""
    handled: dict[int, float] = {}
    pattern = re.compile(r"^\[ab\] seq=(\d+)")

    def say(line: str) -> None:
        m = pattern.match(line)
        if m:
            handled.setdefault(int(m.group(1)), time.monotonic())

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with embedded_reaper(folder, project=small_project(), in_process=True) as session:
        events = session.config.bridge_dir / "events"
        stop = threading.Event()
        server = threading.Thread(target=serve, args=(session.daw, session.config),
                                  kwargs={"stop": stop, "say": say}, daemon=True)
        server.start()
        hostile = HostileWriter(events, seed=seed)
        rng = random.Random(seed)
        complete: dict[int, float] = {}
        half = 0
        seq = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for _ in range(rng.randint(1, 3)):
                hostile.plant()
            seq += 1
            payload = json.dumps({"protocol": 1, "event": "ab", "seq": seq, "time": time.time()}).encode()
            name = f"{int(time.time() * 1000):013d}-r{seq:06d}.json"
            if seq % 4 == 0:
                half += 1
                with open(events / name, "wb") as fh:  # not atomic: the watcher sees the first half
                    fh.write(payload[: len(payload) // 2])
                    fh.flush()
                    time.sleep(0.2)
                    fh.write(payload[len(payload) // 2 :])
            else:
                tmp = events / f".{name}.tmp"
                tmp.write_bytes(payload)
                tmp.replace(events / name)
            complete[seq] = time.monotonic()
            time.sleep(rng.uniform(0.02, 0.1))
        deadline = time.monotonic() + 3.0
        while len(handled) < seq and time.monotonic() < deadline:
            time.sleep(0.05)
        stopping = time.monotonic()
        stop.set()
        server.join(5.0)
        stop_s = time.monotonic() - stopping
    latencies = [handled[s] - complete[s] for s in complete if s in handled]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return SoakFigures(
        seconds=seconds,
        real=seq,
        lost=seq - len(latencies),
        half_written=half,
        hostile=hostile.n,
        max_latency_s=max(latencies, default=float("inf")),
        median_latency_s=statistics.median(latencies) if latencies else float("inf"),
        maxrss_growth_mb=(rss_after - rss_before) / 1024,
        stop_s=stop_s,
    )
