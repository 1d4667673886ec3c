"""``daw-bridge emulate``: run a stand-in REAPER on loopback until Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
from pathlib import Path

import click

from . import get_config
from .session import reaper_only


@click.command("emulate")
@click.option("--project", "project_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Emulator project file (TOML, see docs/emulator.md).")
@click.option("--demo", is_flag=True, help="Load the built-in demo session (generated audio).")
@click.option("--demo-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where --demo writes its audio (default: a new temporary folder).")
@click.option("--listen-port", type=int, default=8000, show_default=True,
              help="UDP port the emulator listens on (REAPER's default).")
@click.option("--send-port", type=int, default=9000, show_default=True,
              help="UDP port feedback is sent to (REAPER's default device port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--pattern-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A .ReaperOSC pattern file (default: the config's, else our shipped one).")
@click.option("--bridge-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Bridge mailbox folder (default: the config's).")
@click.pass_context
def emulate(ctx: click.Context, project_file: Path | None, demo: bool, demo_dir: Path | None, listen_port: int,
            send_port: int, host: str, pattern_file: Path | None, bridge_dir: Path | None) -> None:
    """Run a stand-in REAPER that speaks REAPER's OSC, runs the bridge and renders for real."""
    from ..emulator.core import Emulator
    from ..emulator.project import Project
    from ..emulator.server import EmulatorServer
    from ..osc.patterns import default_pattern_file

    reaper_only(ctx, "`daw-bridge emulate` (a stand-in REAPER)")
    if project_file is not None and demo:
        raise click.UsageError("Use just one of --project or --demo.")
    cfg = get_config(ctx)
    stop = threading.Event()
    with contextlib.ExitStack() as stack:
        if threading.current_thread() is threading.main_thread():  # SIGTERM ends the run cleanly too
            previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
            stack.callback(signal.signal, signal.SIGTERM, previous)
        if demo:
            from ..emulator.demo import build_demo_project

            # without --demo-dir the demo's audio (~58 MB) lives only as long as this command
            folder = demo_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="daw-bridge-demo-")))
            click.echo(f"building the demo session in {folder} ...", err=True)
            project = build_demo_project(folder)
        elif project_file is not None:
            from ..emulator.project_file import load_project

            project = load_project(project_file)
        else:
            project = Project()
        patterns = pattern_file or cfg.pattern_file or default_pattern_file()
        bridge = bridge_dir or cfg.bridge_dir
        bridge.mkdir(parents=True, exist_ok=True, mode=0o700)
        emu = Emulator(project, pattern_file=patterns, bridge_dir=bridge, bounce_dir=cfg.bounce_dir,
                       bridge_command=cfg.bridge_command)
        server = EmulatorServer(emu, host=host, listen_port=listen_port, send_host=host, send_port=send_port)
        with server:
            click.echo(f"emulated REAPER listening on {host}:{server.listen_port}, sending feedback to "
                       f"{host}:{send_port}")
            click.echo(f"pattern file: {patterns}")
            click.echo(f"bridge folder: {bridge} (command {cfg.bridge_command}); bounces: {cfg.bounce_dir}")
            click.echo(f"project: {project.path or '(empty)'}, {len(project.tracks)} tracks at "
                       f"{project.sample_rate} Hz. Ctrl-C to stop.")
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
            click.echo("stopped.", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(emulate)
