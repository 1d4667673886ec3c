"""``daw-bridge status`` and ``daw-bridge action``: REAPER's OSC surface seen from the controller."""

from __future__ import annotations

import math
from typing import Any

import click

from ..reaper.client import ReaperClient
from ..reaper.daw import client_from_config
from . import get_config
from .output import echo_json, json_option


def _db(value: float) -> str:
    return "-inf" if math.isinf(value) else f"{value:+.2f}"


def _snapshot(client: ReaperClient) -> dict[str, Any]:
    return {
        "tracks": client.tracks(),
        "master": client.mirror.master_info(),
        "transport": client.transport_state(),
        "markers": client.mirror.markers(),
        "stats": {"bank_size": client.mirror.bank_size, "malformed": client.dispatcher.stats.malformed,
                  "unknown": client.dispatcher.stats.unknown, "packets": client.dispatcher.stats.packets},
    }


def _print(snap: dict[str, Any]) -> None:
    tracks = snap["tracks"]
    click.echo(f"{len(tracks)} track(s); master {_db(snap['master'].volume_db)} dB")
    for t in tracks:
        flags = "".join(c for c, on in (("M", t.mute), ("S", t.solo), ("*", t.selected)) if on) or "-"
        fx = ", ".join(f"{f.name}{'' if f.enabled else ' (bypassed)'}" for f in t.fx)
        click.echo(f"{t.index:3d}  {t.name:<24.24} {_db(t.volume_db):>7} dB  pan {t.pan:+.2f}  {flags:<3} {fx}")
    tr = snap["transport"]
    state = "playing" if tr.playing else "stopped"
    loop = f"loop {tr.loop_start_s:.2f}-{tr.loop_end_s:.2f} s" if tr.loop_start_s is not None else "no loop"
    click.echo(f"transport: {state} at {tr.position_s:.2f} s, {loop}, repeat {'on' if tr.repeat else 'off'}")
    markers = snap["markers"]
    if markers:
        click.echo("markers: " + "; ".join(f"{m.number} {m.name!r} @ {m.time_s:.2f} s" for m in markers))
    else:
        click.echo("markers: none reported (marker feedback needs DEVICE_MARKER_COUNT > 0 in the pattern file)")


@click.command("status")
@json_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Connect to REAPER over OSC, sync (action 41743) and print the mirrored project."""
    cfg = get_config(ctx)
    with client_from_config(cfg) as client:
        client.connect(timeout_s=cfg.timeout_s)
        snap = _snapshot(client)
    ceiling = _ceiling_line(ctx)
    if as_json:
        echo_json(snap | {"ceiling": ceiling})
    else:
        _print(snap)
        click.echo(ceiling)


def _ceiling_line(ctx: click.Context) -> str:
    """The safety ceiling's setting and meter (the meter through the bridge, when it answers)."""
    from ..backends import open_daw
    from ..errors import DawBridgeError
    from ..monitoring import ceiling_status, load_state

    try:
        state = load_state()
    except DawBridgeError as exc:
        return f"safety ceiling: unknown ({exc})"
    try:
        daw = open_daw(get_config(ctx))
        try:
            monitor_fx = daw.bridge.get_state(["monitor_fx"]).get("monitor_fx")  # type: ignore[attr-defined]
        finally:
            daw.close()
    except (DawBridgeError, AttributeError, OSError):
        monitor_fx = None
    return ceiling_status(state, monitor_fx if isinstance(monitor_fx, list) else None)


@click.command("action")
@click.argument("command_id")
@click.pass_context
def action(ctx: click.Context, command_id: str) -> None:
    """Run a REAPER action by id (40044) or named command id (_RS...), over OSC."""
    with client_from_config(get_config(ctx)) as client:
        client.trigger_action(command_id)
    click.echo(f"sent action {command_id}")


def register(cli: click.Group) -> None:
    cli.add_command(status)
    cli.add_command(action)
