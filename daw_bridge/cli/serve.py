"""``daw-bridge serve``: the controller the in-DAW shortcuts talk to (heartbeat + events)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from ..workflows.controller import serve
from . import get_config
from .session import connected


@click.command("serve")
@click.pass_context
def serve_cmd(ctx: click.Context) -> None:
    """Answer REAPER's daw-bridge shortcuts (level-match, bounce-and-check, next preset/band/simulation).

    Runs until Ctrl-C. While it runs, the shortcut scripts see a fresh heartbeat in the mailbox.
    """
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with connected(ctx) as daw:
            try:
                serve(daw, get_config(ctx), stop=stop, say=click.echo)
            except KeyboardInterrupt:
                stop.set()
        click.echo("controller stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(cli: click.Group) -> None:
    cli.add_command(serve_cmd)
