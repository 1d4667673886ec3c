"""``daw-bridge status``, ``action`` and ``clear-markers``: the DAW's mixer, transport and markers.

All honour the global ``--daw``: ``status`` reads REAPER's OSC surface or Ardour's (tracks, transport, and the
markers through the bridge); ``action`` runs REAPER actions and says plainly that it has no meaning for Ardour;
``clear-markers`` deletes daw-bridge's markers in either DAW.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import click

from ..bridged import parse_markers
from ..config import Config
from ..errors import BridgeError, BridgeRefused
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


#: Seconds ``status`` waits for the Ardour bridge's markers before reporting it silent.
BRIDGE_STATUS_TIMEOUT_S = 2.0


def _ardour_snapshot(cfg: Config) -> dict[str, Any]:
    """Ardour's strips and transport over its OSC, markers through the bridge (``None`` when it is silent)."""
    from ..ardour.daw import ArdourDaw

    daw = ArdourDaw.from_config(cfg)
    try:
        daw.connect(timeout_s=cfg.timeout_s)
        snap: dict[str, Any] = {
            "daw": "ardour",
            "tracks": daw.tracks(),
            "master": {"volume_db": daw.mirror.master_gain_db},
            "transport": daw.transport(),
            "sample_rate": daw.mirror.sample_rate,
            "stats": {"datagrams_sent": daw.datagrams_sent},
        }
        try:
            try:
                raw = daw.bridge.request("get_state", {"keys": ["markers", "loop"]},
                                         timeout_s=BRIDGE_STATUS_TIMEOUT_S)
            except BridgeRefused:  # a hook registered before it knew "loop" (the GUI keeps the old code)
                raw = daw.bridge.request("get_state", {"keys": ["markers"]}, timeout_s=BRIDGE_STATUS_TIMEOUT_S)
            snap["markers"] = parse_markers(raw.get("markers"))
            loop = raw.get("loop")
            if isinstance(loop, dict):  # Ardour's loop range (OSC does not report it)
                snap["transport"] = replace(snap["transport"], loop_start_s=float(loop["start_s"]),
                                            loop_end_s=float(loop["end_s"]))
            snap["bridge"] = "answering"
        except BridgeError as exc:
            snap["markers"] = None
            snap["bridge"] = f"not answering: {exc}"
    finally:
        daw.close()
    return snap


def _print_ardour(snap: dict[str, Any]) -> None:
    tracks = snap["tracks"]
    click.echo(f"Ardour: {len(tracks)} track(s) at {snap['sample_rate']} Hz; master "
               f"{_db(snap['master']['volume_db'])} dB")
    for t in tracks:
        flags = "".join(c for c, on in (("M", t.mute), ("S", t.solo)) if on) or "-"
        click.echo(f"{t.index:3d}  {t.name:<24.24} {_db(t.volume_db):>7} dB  pan {t.pan:+.2f}  {flags}")
    tr = snap["transport"]
    loop = f"loop {tr.loop_start_s:.2f}-{tr.loop_end_s:.2f} s" if tr.loop_start_s is not None else "no loop"
    click.echo(f"transport: {'playing' if tr.playing else 'stopped'} at {tr.position_s:.2f} s, {loop}, "
               f"repeat {'on' if tr.repeat else 'off'}")
    markers = snap["markers"]
    if markers is None:
        click.echo(f"markers: unknown, the daw-bridge bridge in Ardour is {snap['bridge']}")
    elif markers:
        click.echo("markers: " + "; ".join(f"{m.number} {m.name!r} @ {m.time_s:.2f} s" for m in markers))
    else:
        click.echo("markers: none")


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
    """Connect to the DAW and print its tracks, transport and markers (REAPER: OSC sync, action 41743)."""
    cfg = get_config(ctx)
    if cfg.backend == "ardour":
        snap = _ardour_snapshot(cfg)
        if as_json:
            echo_json(snap)
        else:
            _print_ardour(snap)
        return
    with client_from_config(cfg) as client:
        client.connect(timeout_s=cfg.timeout_s)
        snap = _snapshot(client)
    if as_json:
        echo_json(snap)
    else:
        _print(snap)


@click.command("action")
@click.argument("command_id")
@click.pass_context
def action(ctx: click.Context, command_id: str) -> None:
    """Run a REAPER action by id (40044) or named command id (_RS...), over OSC (REAPER only)."""
    cfg = get_config(ctx)
    if cfg.backend != "reaper":
        raise click.ClickException(
            f"`action {command_id}` runs a REAPER action; it has no meaning for {cfg.backend.capitalize()} "
            "(REAPER's action ids do not exist there, and Ardour runs its own editor actions only in its GUI). "
            "The other commands (status, match, ab, headphones, crossfeed, band, simulate, check, clear-markers) "
            "drive Ardour directly."
        )
    with client_from_config(cfg) as client:
        client.trigger_action(command_id)
    click.echo(f"sent action {command_id}")


@click.command("clear-markers")
@json_option
@click.pass_context
def clear_markers(ctx: click.Context, as_json: bool) -> None:
    """Delete daw-bridge's markers and regions from the project (yours stay)."""
    from ..bridged import BridgeOps
    from .session import connected

    with connected(ctx) as daw:
        if not isinstance(daw, BridgeOps):  # every backend is; a Daw without the bridge cannot tell ours apart
            raise click.ClickException(f"{type(daw).__name__} cannot clear markers")
        deleted = daw.clear_markers()
    if as_json:
        echo_json({"deleted": deleted})
    else:
        click.echo(f"Deleted {deleted} daw-bridge marker(s); yours are untouched.")


def register(cli: click.Group) -> None:
    cli.add_command(status)
    cli.add_command(action)
    cli.add_command(clear_markers)
