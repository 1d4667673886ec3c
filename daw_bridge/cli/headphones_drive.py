"""``daw-bridge headphones drive|facts|amps|guidance``: can your output drive it, what the maker says, advice switch.

Attached to the ``headphones`` group (created here only when no other module made it first).
"""

from __future__ import annotations

import click

from ..headphones.amps import AmpPreset, custom_amp, get_amp, load_amp_presets
from ..headphones.drive import DEFAULT_LISTENING_SPL_DB, DEFAULT_PEAK_MARGIN_DB, check_drive
from ..headphones.facts import UNIT_PER_MW, UNIT_PER_V, HeadphoneFacts, Sensitivity, format_facts, get_facts
from ..headphones.guidance import PURPOSES, GuidanceStore, guidance_for
from .headphones import headphones_group
from .output import echo_json, json_option


def facts_with_overrides(
    model: str, *, impedance: float | None, sensitivity: float | None, unit: str
) -> HeadphoneFacts:
    """Facts for ``model`` with the user's --impedance / --sensitivity (dB SPL per ``unit``: "mW" or "V")."""
    facts = get_facts(model)
    sens = None
    if sensitivity is not None:
        sens = Sensitivity(sensitivity, UNIT_PER_MW if unit == "mW" else UNIT_PER_V, "", "given by the user")
    return facts.with_overrides(impedance_ohm=impedance, sensitivity=sens)


def headphone_override_options(func: click.decorators.FC) -> click.decorators.FC:
    """--impedance, --sensitivity, --unit, --measured: fill or replace the facts' values."""
    for option in reversed(
        [
            click.option("--impedance", type=float, help="Headphone impedance in ohm (your version, or when missing)."),
            click.option("--sensitivity", type=float, help="Headphone sensitivity in dB SPL per --unit."),
            click.option("--unit", type=click.Choice(["mW", "V"]), default="mW", show_default=True,
                         help="Unit of --sensitivity: dB SPL/mW or dB SPL/V."),
            click.option("--measured", is_flag=True, help="Use the independent measurement where the facts have one."),
        ]
    ):
        func = option(func)
    return func


def note_guidance(lines: list[str]) -> None:
    """Print guidance messages on stderr, prefixed ``Note:``."""
    for line in lines:
        click.echo(f"Note: {line}", err=True)


@click.command("drive")
@click.argument("model")
@click.option("--amp", "amp_key", help="Amplifier preset (see `daw-bridge headphones amps`). Default: every preset.")
@click.option("--vout", type=float, help="Your output's maximum unloaded voltage, Vrms (instead of --amp).")
@click.option("--zout", type=float, help="Your output's output impedance, ohm (with --vout; default 0).")
@click.option("--level", "level_db", type=float, default=DEFAULT_LISTENING_SPL_DB, show_default=True,
              help="Average listening level, dB SPL.")
@click.option("--peaks", "peaks_db", type=float, default=DEFAULT_PEAK_MARGIN_DB, show_default=True,
              help="Peaks above the average, dB.")
@headphone_override_options
@click.option("--purpose", type=click.Choice(PURPOSES), help="What you use it for now (for role guidance).")
@json_option
def drive(
    model: str,
    amp_key: str | None,
    vout: float | None,
    zout: float | None,
    level_db: float,
    peaks_db: float,
    impedance: float | None,
    sensitivity: float | None,
    unit: str,
    measured: bool,
    purpose: str | None,
    as_json: bool,
) -> None:
    """Maximum clean SPL of MODEL on an output, headroom at your level, and the 1/8 output-impedance rule."""
    if amp_key and (vout is not None or zout is not None):
        raise click.UsageError("Use just one of --amp or --vout/--zout.")
    if zout is not None and vout is None:
        raise click.UsageError("--zout needs --vout (the output's maximum voltage).")
    facts = facts_with_overrides(model, impedance=impedance, sensitivity=sensitivity, unit=unit)
    amps: list[AmpPreset]
    if amp_key:
        amps = [get_amp(amp_key)]
    elif vout is not None:
        amps = [custom_amp(vout_vrms=vout, zout_ohm=zout or 0.0)]
    else:
        amps = list(load_amp_presets().values())
    checks = [
        check_drive(facts, amp, listening_spl_db=level_db, peak_margin_db=peaks_db, use_measured=measured)
        for amp in amps
    ]
    notes = guidance_for("drive_check", facts.model, {"purpose": purpose} if purpose else None)
    if as_json:
        echo_json({"checks": checks, "guidance": notes})
        return
    sens = checks[0]
    derived = " (derived from dB SPL/mW with the impedance)" if sens.sens_derived else ""
    click.echo(f"{facts.model}: {sens.impedance_ohm:g} ohm, {sens.sens_db_per_v:.1f} dB SPL/V{derived}")
    for check in checks:
        click.echo("")
        for line in check.verdict:
            click.echo(f"  {line}")
    note_guidance(notes)


@click.command("facts")
@click.argument("model")
@json_option
def facts_cmd(model: str, as_json: bool) -> None:
    """Design, impedance, sensitivity (as stated and derived), power rating and role of MODEL, with sources."""
    facts = get_facts(model)
    if as_json:
        echo_json(
            {
                "facts": facts,
                "sensitivity_db_per_mw": facts.sensitivity_in(UNIT_PER_MW),
                "sensitivity_db_per_v": facts.sensitivity_in(UNIT_PER_V),
            }
        )
        return
    for line in format_facts(facts):
        click.echo(line)


@click.command("amps")
@json_option
def amps_cmd(as_json: bool) -> None:
    """The shipped amplifier presets: maximum voltage, output impedance, load limits, sources."""
    presets = load_amp_presets()
    if as_json:
        echo_json(list(presets.values()))
        return
    for amp in presets.values():
        vout = f"{amp.vout_vrms:g} Vrms" if amp.vout_vrms is not None else "max voltage: see limits / missing"
        zout = f"{amp.zout_ohm:g} ohm" if amp.zout_ohm is not None else "Zout missing"
        click.echo(f"{amp.key:18} {amp.name}: {vout}, {zout}")
        for lim in amp.limits:
            click.echo(f"{'':18}   {lim.vrms:.2f} Vrms max into {lim.load_ohm:g} ohm")
        for key, reason in amp.missing_reason.items():
            click.echo(f"{'':18}   {key} missing: {reason}")
        for source in amp.sources:
            click.echo(f"{'':18}   source: {source}")


@click.command("guidance")
@click.argument("action", type=click.Choice(["status", "on", "off", "reset"]), default="status")
def guidance_cmd(action: str) -> None:
    """Role guidance (once per session): show status, turn it on/off, or reset what was shown."""
    store = GuidanceStore()
    if action == "on":
        store.set_enabled(True)
    elif action == "off":
        store.set_enabled(False)
    elif action == "reset":
        store.reset()
    state = "on" if store.enabled else "off"
    click.echo(f"guidance is {state} (state: {store.path}; DAW_BRIDGE_GUIDANCE=off also turns it off)")


def register(cli: click.Group) -> None:
    """Attach drive/facts/amps/guidance to the ``headphones`` group, creating the group only if absent."""
    group = headphones_group(cli)
    for command in (drive, facts_cmd, amps_cmd, guidance_cmd):
        group.add_command(command)
