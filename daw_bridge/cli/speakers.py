"""``daw-bridge speakers list | apply ROOM | off | install``: virtual speakers in a room on the monitoring path."""

from __future__ import annotations

from pathlib import Path

import click

from ..monitoring import load_state
from ..speakers.rooms import all_rooms, room_name
from .monitor import push_state
from .output import echo_json, json_option, stderr_progress

_SOFA_HELP = "Head-related responses (SOFA file, e.g. your own measurement); default: the system's MIT KEMAR set."


@click.group("speakers")
def speakers_group() -> None:
    """Virtual speakers on headphones: a stereo pair (or a mono cube) in a room, from measured head responses."""


@speakers_group.command("list")
@json_option
def list_cmd(as_json: bool) -> None:
    """The virtual rooms, their speakers and decay; the current one is marked."""
    current = load_state().speakers
    rows = []
    for rm in all_rooms():
        rows.append({"name": rm.name, "description": rm.description, "current": rm.name == current,
                     "speakers": [s.name for s in rm.speakers], "rt60_s": rm.rt60_s if rm.size_m else 0.0,
                     "length_ms": rm.length_ms, "system": rm.system, "size_m": rm.size_m})  # fmt: skip
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        mark = "*" if row["current"] else " "
        click.echo(f"{mark} {row['name']:<13} {row['description']}")


@speakers_group.command("apply")
@click.argument("room")
@click.option("--sofa", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=_SOFA_HELP)
@click.option("--dry-run", is_flag=True, help="Save and print the chain (at 48 kHz) without a DAW.")
@json_option
@click.pass_context
def apply_cmd(ctx: click.Context, room: str, sofa: Path | None, dry_run: bool, as_json: bool) -> None:
    """Listen through virtual speakers in ROOM (see `speakers list`), crossfaded in click-free."""
    state = load_state().with_changes(speakers=room_name(room), speakers_sofa=str(sofa) if sofa else None)
    if sofa is not None and not as_json:
        click.echo("REAPER loads its responses from its Data folder: run `daw-bridge speakers install --sofa "
                   f"{sofa}` once so the JSFX hears this SOFA file too.", err=True)  # fmt: skip
    push_state(ctx, state, dry_run=dry_run, as_json=as_json)


@speakers_group.command("off")
@click.option("--dry-run", is_flag=True, help="Save and print the chain (at 48 kHz) without a DAW.")
@json_option
@click.pass_context
def off_cmd(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Back to plain headphones (the virtual-speakers effect is switched off)."""
    push_state(ctx, load_state().with_changes(speakers=None), dry_run=dry_run, as_json=as_json)


@speakers_group.command("install")
@click.option("--resource-path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="REAPER's resource folder (default: this OS's standard one).")
@click.option("--sofa", type=click.Path(dir_okay=False, exists=True, path_type=Path), help=_SOFA_HELP)
@click.option("--rate", "rates", type=int, multiple=True, help="Sample rate(s) in Hz (default 44.1/48/88.2/96 kHz).")
@json_option
@click.pass_context
def install_cmd(ctx: click.Context, resource_path: Path | None, sofa: Path | None, rates: tuple[int, ...],
                as_json: bool) -> None:  # fmt: skip
    """Install daw-bridge into REAPER with the rooms' responses in its Data folder, where
    daw-bridge_speakers.jsfx loads them (one transaction: 'reaper uninstall' removes them too)."""
    from ..install import default_resource_path, install
    from ..speakers.files import RESPONSE_DIR, SAMPLE_RATES, response_files
    from . import get_config

    resource = resource_path if resource_path is not None else default_resource_path()
    files = response_files(sofa=sofa, sample_rates=rates or SAMPLE_RATES,
                           progress=None if as_json else stderr_progress("speakers"))  # fmt: skip
    report = install(resource, get_config(ctx), extra_files=files)
    written = [resource / rel for rel in files]
    if as_json:
        echo_json({"resource_path": resource, "written": written, "backups": report.backups})
        return
    click.echo(f"Wrote {len(written)} response files into {resource / RESPONSE_DIR} (with daw-bridge's scripts and "
               "effects; 'daw-bridge reaper uninstall' removes them all)")


def register(cli: click.Group) -> None:
    cli.add_command(speakers_group)
