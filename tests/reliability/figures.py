"""Figures for docs/reliability.md: ``python -m tests.reliability.figures`` prints them (not a test: no timing
is asserted anywhere; the tests check behaviour, this measures it)."""

from __future__ import annotations

import collections
import logging
import statistics
import time

from daw_bridge.emulator.core import Emulator

from . import fuzz
from .relay import lossy_wire
from .session import mismatches, mock_client, small_project


def fuzz_in_process(count: int = 10_000, seed: int = 20240607) -> None:
    emu = Emulator(small_project())
    client, transport = mock_client(emu)
    client.connect(timeout_s=1.0)
    kinds = collections.Counter[str]()
    data = list(fuzz.datagrams(seed, count))
    start = time.perf_counter()
    for d in data:
        kinds[d.cls] += 1
        transport.inject(d.data)
    elapsed = time.perf_counter() - start
    s = client.dispatcher.stats
    print(f"in-process fuzz: {count} datagrams in {elapsed:.2f} s ({count / elapsed:,.0f}/s); classes {dict(kinds)}; "
          f"malformed counted {s.malformed}, messages {s.messages}, handled {s.handled}, unknown {s.unknown}, "
          f"unhandled {s.unhandled}, handler errors {s.handler_errors}")


def loss_convergence(seeds: range = range(100, 110), tracks: int = 24) -> None:
    syncs, seconds = [], []
    for seed in seeds:
        emu = Emulator(small_project(tracks))
        with lossy_wire(emu, loss=0.10, seed=seed) as wire:
            wire.client.mirror.wait_quiet(0.2, 5.0)
            start = time.perf_counter()
            needed = 0
            while needed < 25:
                needed += 1
                wire.client.sync(timeout_s=2.0)
                if not mismatches(wire.client, emu.project):
                    break
            syncs.append(needed)
            seconds.append(time.perf_counter() - start)
    print(f"10 % loss, {tracks} tracks, {len(seeds)} seeds: resyncs to converge {syncs} "
          f"(median {statistics.median(syncs)}, max {max(syncs)}); time median {statistics.median(seconds):.2f} s, "
          f"max {max(seconds):.2f} s")


def restart_convergence(rounds: int = 5, tracks: int = 24) -> None:
    seconds = []
    for _ in range(rounds):
        emu = Emulator(small_project(tracks))
        with lossy_wire(emu, loss=0.0, seed=1) as wire:
            wire.client.sync(timeout_s=2.0)
            wire.server.stop()
            emu.project.tracks[0].name = "changed while down"
            start = time.perf_counter()
            wire.server.start()
            wire.client.sync(timeout_s=2.0)
            assert not mismatches(wire.client, emu.project)
            seconds.append(time.perf_counter() - start)
    print(f"restart, {tracks} tracks: restart + resync to the true state median {statistics.median(seconds):.2f} s, "
          f"max {max(seconds):.2f} s over {rounds} rounds")


def main() -> None:
    logging.disable(logging.WARNING)
    fuzz_in_process()
    loss_convergence()
    restart_convergence()


if __name__ == "__main__":
    main()
