"""An embedded stand-in REAPER for the demo and the end-to-end tests.

``embedded_reaper(folder)`` builds (or takes) an emulator project, serves it on loopback UDP exactly as REAPER
would (free ports, our pattern file, the bridge mailbox in ``folder``), and hands back a connected
:class:`~daw_bridge.reaper.daw.ReaperDaw` plus the matching :class:`~daw_bridge.config.Config`: the workflows
then run over real OSC, as they do against REAPER. ``in_process=True`` skips the sockets (fast unit tests).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..emulator.core import Emulator
from ..emulator.demo import build_demo_project
from ..emulator.project import Project
from ..emulator.server import EmulatorServer
from ..reaper.bridge import BridgeClient
from ..reaper.client import ReaperClient
from ..reaper.daw import ReaperDaw


@dataclass
class EmbeddedSession:
    """A running emulator and a DAW connected to it. ``server`` is None in in-process mode."""

    daw: ReaperDaw
    emulator: Emulator
    config: Config
    server: EmulatorServer | None
    folder: Path


def _free_udp_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def embedded_reaper(
    folder: Path,
    *,
    project: Project | None = None,
    in_process: bool = False,
    timeout_s: float = 2.0,
    host: str = "127.0.0.1",
) -> Iterator[EmbeddedSession]:
    """Serve ``project`` (default: the demo session built in ``folder/session``) and connect to it.

    Mailbox in ``folder/bridge``, bounces in ``folder/bounces``. Everything is stopped when the block ends.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if project is None:
        project = build_demo_project(folder / "session")
    bridge_dir, bounce_dir = folder / "bridge", folder / "bounces"
    bounce_dir.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(project, bridge_dir=bridge_dir, bounce_dir=bounce_dir)
    server: EmulatorServer | None = None
    if in_process:
        from ..emulator.transport import EmulatorTransport

        cfg = Config(host=host, timeout_s=timeout_s, bridge_dir=bridge_dir, bounce_dir=bounce_dir)
        client = ReaperClient(EmulatorTransport(emulator), emulator.patterns, timeout_s=timeout_s)
        bridge = BridgeClient(
            bridge_dir,
            lambda: client.trigger_action(cfg.bridge_command),
            timeout_s=max(5.0, timeout_s),
            allowed_roots=(bridge_dir, bounce_dir),
        )
        daw = ReaperDaw(client, bridge)
    else:
        receive_port = _free_udp_port(host)
        server = EmulatorServer(emulator, host=host, listen_port=0, send_host=host, send_port=receive_port)
        server.start()
        cfg = Config(
            host=host,
            send_port=server.listen_port,
            receive_port=receive_port,
            listen_host=host,
            timeout_s=timeout_s,
            bridge_dir=bridge_dir,
            bounce_dir=bounce_dir,
        )
        daw = ReaperDaw.from_config(cfg)
    try:
        daw.connect(timeout_s=timeout_s)
        yield EmbeddedSession(daw=daw, emulator=emulator, config=cfg, server=server, folder=folder)
    finally:
        daw.close()
        if server is not None:
            server.stop()
