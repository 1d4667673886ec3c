"""``daw-bridge headphones list|show|apply|off|next|import``: headphone correction presets on the monitoring path.

Attached to the ``headphones`` group (created here only when no other module made it first). ``register`` also
attaches this engineer's other commands (``process``, ``crossfeed``, ``band``, ``simulate``) so one entry in
``COMMAND_MODULES`` brings the whole monitoring CLI.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..dsp.correction import build
from ..errors import InvalidParameter
from ..headphones.facts import HeadphoneFacts, format_facts, get_facts
from ..headphones.guidance import guidance_for
from ..monitoring import load_state
from ..presets.catalog import all_presets, find_preset, import_autoeq
from ..presets.plot import plot_correction
from . import monitor, process
from .output import echo_json, json_option


@click.command("list")
@json_option
def list_cmd(as_json: bool) -> None:
    """Shipped and imported headphone presets (model names as AutoEq spells them)."""
    presets = all_presets()
    if as_json:
        echo_json([{"name": p.name, "user": p.user, "measurement": p.source.get("measurement", ""),
                    "caveats": list(p.caveats)} for p in presets])  # fmt: skip
        return
    current = load_state().headphones
    for p in presets:
        mark = "*" if current and current.lower() == p.name.lower() else " "
        origin = "user import" if p.user else p.source.get("measurement", "")
        click.echo(f"{mark} {p.name:<40} {origin}{'  (caveats)' if p.caveats else ''}")


@click.command("show")
@click.argument("model")
@click.option("--png", "png_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the curve as PNG.")
@click.option("--rate", "sample_rate", type=int, default=48000, show_default=True, help="Session rate in Hz.")
@json_option
def show_cmd(model: str, png_path: Path | None, sample_rate: int, as_json: bool) -> None:
    """A preset's metadata, filters, preamp and (with --png) a picture of its correction curve."""
    preset = find_preset(model)
    corr = build(preset.eq.filters, file_preamp_db=preset.eq.preamp_db, sample_rate=sample_rate,
                 design_rate=preset.eq.design_rate_hz)  # fmt: skip
    if png_path is not None:
        plot_correction(preset, corr, png_path)
    facts = _facts_or_none(preset.name)
    if as_json:
        echo_json({"name": preset.name, "source": preset.source, "caveats": list(preset.caveats),
                   "preamp_db": corr.preamp_db, "filters": list(preset.eq.filters), "gain_db": corr.gain_db,
                   "fit_error_db": corr.fit_error_db, "png": png_path, "facts": facts})  # fmt: skip
        return
    click.echo(f"{preset.name}{'  (user import)' if preset.user else ''}")
    for key in ("measurement", "target", "autoeq_path", "autoeq_commit", "license", "file"):
        if key in preset.source:
            click.echo(f"  {key}: {preset.source[key]}")
    for caveat in preset.caveats:
        click.echo(f"  caveat: {caveat}")
    click.echo(f"  preamp {corr.preamp_db:+.1f} dB (clip-free), level compensation {corr.gain_db:+.1f} dB")
    for i, f in enumerate(preset.eq.filters, start=1):
        click.echo(f"  {i:>2}. {f.kind:<9} {f.freq_hz:>8.0f} Hz {f.gain_db:+6.1f} dB  Q {f.q:.2f}")
    click.echo(f"  at {sample_rate} Hz: max deviation from the 44.1 kHz design {corr.fit_error_db:.3f} dB")
    if facts is not None:
        click.echo("  headphone facts:")
        for line in format_facts(facts):
            click.echo(f"    {line}")
    else:
        click.echo("  headphone facts: none on file for this model (impedance/sensitivity unknown)")
    if png_path is not None:
        click.echo(f"  curve: {png_path}")


def _facts_or_none(model: str) -> HeadphoneFacts | None:
    """The headphone's facts (design, impedance, sensitivity, role), or None for models without any."""
    try:
        return get_facts(model)
    except InvalidParameter:
        return None


@click.command("apply")
@click.argument("model")
@click.option("--strength", "strength_pct", type=float, default=None, help="Correction strength 0-100 %.")
@click.option("--bass-trim", "bass_trim_db", type=float, default=None, help="Bass shelf trim in dB (-12..12).")
@click.option("--dry-run", is_flag=True, help="Save and print the chain (at 48 kHz) without a DAW.")
@json_option
@click.pass_context
def apply_cmd(ctx: click.Context, model: str, strength_pct: float | None, bass_trim_db: float | None,
              dry_run: bool, as_json: bool) -> None:  # fmt: skip
    """Correct for MODEL on the master's monitoring FX chain (never rendered), level-compensated."""
    state = load_state()
    name = find_preset(model).name
    changes: dict[str, object] = {"headphones": name}
    if strength_pct is not None:
        changes["strength_pct"] = strength_pct
    if bass_trim_db is not None:
        changes["bass_trim_db"] = bass_trim_db
    monitor.push_state(ctx, state.with_changes(**changes), dry_run=dry_run, as_json=as_json)
    if not as_json:
        for note in guidance_for("preset_applied", name, {"crossfeed": state.crossfeed is not None}):
            click.echo(f"  note: {note}")


@click.command("off")
@click.option("--dry-run", is_flag=True, help="Save and print the chain without a DAW.")
@json_option
@click.pass_context
def off_cmd(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Switch headphone correction off (other monitoring effects stay as they are)."""
    monitor.push_state(ctx, load_state().with_changes(headphones=None), dry_run=dry_run, as_json=as_json)


@click.command("next")
@click.option("--dry-run", is_flag=True, help="Save and print the chain without a DAW.")
@json_option
@click.pass_context
def next_cmd(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Switch to the next preset in the list (from off: the first), level-compensated."""
    names = [p.name for p in all_presets()]
    current = load_state().headphones
    lowered = [n.lower() for n in names]
    index = lowered.index(current.lower()) + 1 if current and current.lower() in lowered else 0
    state = load_state().with_changes(headphones=names[index % len(names)])
    monitor.push_state(ctx, state, dry_run=dry_run, as_json=as_json)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Model name for the preset (default: from the file name).")
@click.option("--force", is_flag=True, help="Import even over a shipped or already imported preset of that name.")
@json_option
def import_cmd(file: Path, name: str | None, force: bool, as_json: bool) -> None:
    """Import an AutoEq ParametricEQ.txt as a user preset."""
    preset = import_autoeq(file, name=name, force=force)
    if as_json:
        echo_json({"name": preset.name, "path": preset.path, "filters": len(preset.eq.filters)})
        return
    n = len(preset.eq.filters)
    click.echo(f"Imported {preset.name!r} ({n} filter{'' if n == 1 else 's'}, preamp {preset.eq.preamp_db:+.1f} dB)")
    click.echo(f"  saved as {preset.path}")


def headphones_group(cli: click.Group) -> click.Group:
    """The ``headphones`` group of ``cli``, created on first use (two modules add commands to it)."""
    group = cli.commands.get("headphones")
    if not isinstance(group, click.Group):
        group = click.Group("headphones", help="Headphone presets, facts, drive check and role guidance.")
        cli.add_command(group)
    return group


def register(cli: click.Group) -> None:
    """Attach list/show/apply/off/next/import to ``headphones``; add process, crossfeed, band, simulate."""
    group = headphones_group(cli)
    for command in (list_cmd, show_cmd, apply_cmd, off_cmd, next_cmd, import_cmd):
        group.add_command(command)
    process.register(cli)
    monitor.register(cli)
