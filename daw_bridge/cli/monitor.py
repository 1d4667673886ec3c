"""``daw-bridge crossfeed | band | simulate``: switch the other monitoring effects, level-compensated.

Every switch updates the saved :class:`~daw_bridge.monitoring.MonitoringState` and pushes the whole chain to the
DAW's monitoring FX (never the track FX), so nothing of it reaches a render.
"""

from __future__ import annotations

import click

from ..backends import open_daw
from ..bands import BAND_NAMES
from ..dsp.crossfeed import PRESETS
from ..dsp.simulation import SYSTEMS
from ..monitoring import MonitoringState, apply_monitoring, chain, load_state, save_state, validate_state
from . import get_config
from .output import echo_json, json_option


def push_state(ctx: click.Context, state: MonitoringState, *, dry_run: bool = False, as_json: bool = False) -> None:
    """Validate ``state``, send the chain to the DAW (unless ``dry_run``), save it, and report."""
    validate_state(state)
    notes: list[str] = []
    if dry_run:
        fx = chain(state, 48000)
    else:
        daw = open_daw(get_config(ctx))
        try:
            fx = apply_monitoring(daw, state)
            notes = list(getattr(daw, "monitor_notes", []))  # effects the DAW could not host (Ardour)
        finally:
            daw.close()
    save_state(state)
    if as_json:
        echo_json({"state": state, "chain": fx, "sent": not dry_run, "notes": notes})
        return
    for note in notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(describe(state))
    for item in fx:
        if item.enabled and not (item.kind == "correction" and state.headphones is None):
            net = float(item.params["gain_db"]) + float(item.params.get("preamp_db", 0.0))
            if item.kind == "correction":
                net += state.headroom_db
            click.echo(f"  {item.kind}: on, level compensation {net:+.1f} dB (net output gain)")
    click.echo(f"  constant monitoring headroom {-state.headroom_db:+.0f} dB (clip-free; the same in every state)")


def describe(state: MonitoringState) -> str:
    """One line naming what is on."""
    parts = []
    if state.headphones:
        extra = f" {state.strength_pct:g}%" + (f", bass {state.bass_trim_db:+g} dB" if state.bass_trim_db else "")
        parts.append(f"headphones {state.headphones}{extra}")
    if state.crossfeed:
        parts.append(f"crossfeed {state.crossfeed}" + (f", centre {state.centre_db:+g} dB" if state.centre_db else ""))
    if state.simulation:
        parts.append(f"simulating {state.simulation}")
    if state.band:
        parts.append(f"band solo {state.band}")
    if state.speakers:
        parts.append(f"virtual speakers: {state.speakers}")
    return "Monitoring: " + ("; ".join(parts) if parts else "all off")


def _dry_run(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--dry-run", is_flag=True, help="Save and print the chain (at 48 kHz) without a DAW.")(func)


@click.command("crossfeed")
@click.argument("preset", metavar=f"{'|'.join(PRESETS)}|custom|off")
@click.option("--cut", "cut_hz", type=float, help="Custom cut frequency in Hz (300-2000).")
@click.option("--feed", "feed_db", type=float, help="Custom crossfeed level in dB (1-15).")
@click.option("--centre", "centre_db", type=float, help="Centre (mid) level trim in dB (-6..+3), SPL Phonitor style.")
@_dry_run
@json_option
@click.pass_context
def crossfeed_cmd(ctx: click.Context, preset: str, cut_hz: float | None, feed_db: float | None,
                  centre_db: float | None, dry_run: bool, as_json: bool) -> None:  # fmt: skip
    """bs2b crossfeed on the monitoring path: default (700 Hz/4.5 dB), cmoy, jmeier, custom, or off."""
    state = load_state()
    changes: dict[str, object] = {"crossfeed": None if preset.lower() == "off" else preset.lower()}
    if cut_hz is not None or feed_db is not None:
        changes["crossfeed"] = "custom" if preset.lower() != "off" else None
    if cut_hz is not None:
        changes["crossfeed_cut_hz"] = cut_hz
    if feed_db is not None:
        changes["crossfeed_feed_db"] = feed_db
    if centre_db is not None:
        changes["centre_db"] = centre_db
    push_state(ctx, state.with_changes(**changes), dry_run=dry_run, as_json=as_json)


@click.command("band")
@click.argument("name", metavar=f"{'|'.join(BAND_NAMES)}|off")
@_dry_run
@json_option
@click.pass_context
def band_cmd(ctx: click.Context, name: str, dry_run: bool, as_json: bool) -> None:
    """Solo one listening band on the monitoring path (steep edges, level-compensated), or off."""
    band = None if name.lower() == "off" else name
    push_state(ctx, load_state().with_changes(band=band), dry_run=dry_run, as_json=as_json)


@click.command("simulate")
@click.argument("system", metavar=f"{'|'.join(SYSTEMS)}|off")
@_dry_run
@json_option
@click.pass_context
def simulate_cmd(ctx: click.Context, system: str, dry_run: bool, as_json: bool) -> None:
    """Hear the mix as on a playback system (approximate curves; docs/monitoring.md), or off."""
    sim = None if system.lower() == "off" else system
    push_state(ctx, load_state().with_changes(simulation=sim), dry_run=dry_run, as_json=as_json)


def register(cli: click.Group) -> None:
    for command in (crossfeed_cmd, band_cmd, simulate_cmd):
        cli.add_command(command)
