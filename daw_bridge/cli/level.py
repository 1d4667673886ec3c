"""``daw-bridge level``: a steady, moderate listening level, and the same perceived level on every output."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..errors import InvalidAudio
from ..headphones.drive import DEFAULT_LISTENING_SPL_DB
from ..headphones.facts import UNIT_PER_V
from ..headphones.guidance import guidance_for
from ..headphones.level import (
    LevelProfile,
    OutputProfile,
    dbu_to_vrms,
    dbv_to_vrms,
    default_profile_path,
    estimate_spl_db,
    headphone_spl_at_0lufs_db,
    level_advice,
    load_profile,
    match_offsets,
    save_profile,
    set_offset,
    set_output,
    set_volume,
    speaker_spl_at_0lufs_db,
    switch_output,
    volume_for_spl_db,
)
from .headphones_drive import facts_with_overrides, headphone_override_options, note_guidance
from .output import echo_json, json_option

BLOCK_FRAMES = 65536


def file_loudness_lufs(path: Path) -> float:
    """Integrated loudness of an audio file (LUFS, BS.1770), read block by block."""
    from ..analysis.loudness import LoudnessMeter
    from ..audio import audio_info, iter_blocks

    info = audio_info(path)
    meter = LoudnessMeter(info.rate, info.channels, peaks=False)
    for block in iter_blocks(path, BLOCK_FRAMES):
        meter.feed(block)
    lufs = meter.finish().integrated_lufs
    if not math.isfinite(lufs):
        raise InvalidAudio(f"{path}: silent or too short for an integrated loudness")
    return lufs


def _profile_path(ctx: click.Context) -> Path:
    path = ctx.obj.get("level_profile") if isinstance(ctx.obj, dict) else None
    return path if isinstance(path, Path) else default_profile_path()


def _save(ctx: click.Context, profile: LevelProfile) -> None:
    save_profile(profile, _profile_path(ctx))


def _describe(output: OutputProfile, current: bool) -> str:
    mark = "*" if current else " "
    model = f" ({output.model})" if output.model else ""
    return (
        f"{mark} {output.name}: {output.kind}{model}, {output.spl_at_0lufs_db:.1f} dB SPL at 0 LUFS full volume, "
        f"volume {output.volume_db:+.1f} dB, trim {output.offset_db:+.1f} dB  [{output.basis}]"
    )


@click.group("level")
@click.option("--profile", "profile_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Level profile JSON. Default: level.json in the user data dir ($DAW_BRIDGE_LEVEL_PROFILE).")
@click.pass_context
def level_group(ctx: click.Context, profile_path: Path | None) -> None:
    """Estimate listening SPL from the mix's loudness; keep headphones and speakers at the same perceived level."""
    ctx.ensure_object(dict)
    if profile_path is not None:
        ctx.obj["level_profile"] = profile_path


@level_group.command("setup-headphones")
@click.argument("name")
@click.argument("model")
@click.option("--vrms", type=float, help="Output voltage at 0 dBFS with the volume at maximum, Vrms.")
@click.option("--dbu", type=float, help="The same as a level in dBu (interface spec sheets: 'max output +x dBu').")
@click.option("--dbv", type=float, help="The same as a level in dBV.")
@click.option("--zout", type=float, default=0.0, show_default=True, help="Output impedance, ohm.")
@click.option("--volume-db", type=float, default=0.0, show_default=True, help="Volume control now, dB (<= 0).")
@headphone_override_options
@click.pass_context
def setup_headphones(
    ctx: click.Context,
    name: str,
    model: str,
    vrms: float | None,
    dbu: float | None,
    dbv: float | None,
    zout: float,
    volume_db: float,
    impedance: float | None,
    sensitivity: float | None,
    unit: str,
    measured: bool,
) -> None:
    """Calibrate output NAME: headphone MODEL on an output of known voltage at 0 dBFS (enter it once)."""
    given = [v for v in (vrms, dbu, dbv) if v is not None]
    if len(given) != 1:
        raise click.UsageError("Give exactly one of --vrms, --dbu or --dbv (the output's level at 0 dBFS).")
    volts = vrms if vrms is not None else dbu_to_vrms(dbu) if dbu is not None else dbv_to_vrms(float(dbv or 0.0))
    facts = facts_with_overrides(model, impedance=impedance, sensitivity=sensitivity, unit=unit)
    sens = facts.sensitivity_in(UNIT_PER_V, measured=measured)
    if sens is None:
        raise click.UsageError(
            f"{facts.model}: no usable sensitivity ({facts.missing_reason.get('sensitivity') or 'needs impedance'}); "
            "pass --sensitivity and --impedance."
        )
    spl0 = headphone_spl_at_0lufs_db(
        sens_db_per_v=sens.value_db, vout_0dbfs_vrms=volts, impedance_ohm=facts.impedance_ohm, zout_ohm=zout
    )
    basis = f"{sens.value_db:.1f} dB SPL/V{' (derived)' if sens.derived else ''}, {volts:.3f} Vrms at 0 dBFS"
    output = OutputProfile(name, "headphones", spl0, volume_db, 0.0, facts.model, basis)
    profile = load_profile(_profile_path(ctx))
    old = profile.outputs.get(name)
    if old is not None:
        output = OutputProfile(name, "headphones", spl0, volume_db, old.offset_db, facts.model, basis)
    profile = set_output(profile, output)
    _save(ctx, profile)
    click.echo(_describe(output, profile.current == name))


@level_group.command("setup-speakers")
@click.argument("name")
@click.option("--spl", "measured_spl", type=float, required=True, help="SPL-meter reading at the listening seat, dB.")
@click.option("--at-lufs", type=float, required=True, help="Loudness of the programme you measured, LUFS.")
@click.option("--volume-db", type=float, default=0.0, show_default=True, help="Volume control during it, dB (<= 0).")
@click.pass_context
def setup_speakers(ctx: click.Context, name: str, measured_spl: float, at_lufs: float, volume_db: float) -> None:
    """Calibrate speaker output NAME from one SPL-meter reading of a programme of known loudness."""
    spl0 = speaker_spl_at_0lufs_db(measured_spl_db=measured_spl, at_lufs=at_lufs, volume_db=volume_db)
    profile = load_profile(_profile_path(ctx))
    old = profile.outputs.get(name)
    basis = f"meter: {measured_spl:.1f} dB SPL at {at_lufs:.1f} LUFS, volume {volume_db:+.1f} dB"
    output = OutputProfile(name, "speakers", spl0, volume_db, old.offset_db if old else 0.0, None, basis)
    profile = set_output(profile, output)
    _save(ctx, profile)
    click.echo(_describe(output, profile.current == name))


@level_group.command("show")
@json_option
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """The outputs in the profile; * marks the current one."""
    profile = load_profile(_profile_path(ctx))
    if as_json:
        echo_json(profile)
        return
    if not profile.outputs:
        click.echo("No outputs yet: run `daw-bridge level setup-headphones` or `setup-speakers`.")
    for name, output in profile.outputs.items():
        click.echo(_describe(output, name == profile.current))


@level_group.command("volume")
@click.argument("name")
@click.option("--db", "volume_db", type=float, required=True, help="Volume control setting, dB (<= 0).")
@click.pass_context
def volume(ctx: click.Context, name: str, volume_db: float) -> None:
    """Record where output NAME's volume control is now."""
    profile = set_volume(load_profile(_profile_path(ctx)), name, volume_db)
    _save(ctx, profile)
    click.echo(_describe(profile.outputs[name], profile.current == name))


@level_group.command("spl")
@click.option("--output", "name", help="Output to estimate for. Default: the current one.")
@click.option("--lufs", type=float, help="Integrated loudness of what you play, LUFS.")
@click.option("--file", "audio_file", type=click.Path(dir_okay=False, path_type=Path), help="Measure this file.")
@click.option("--target", type=float, default=DEFAULT_LISTENING_SPL_DB, show_default=True,
              help="Moderate average level to aim for, dB SPL.")
@json_option
@click.pass_context
def spl(
    ctx: click.Context, name: str | None, lufs: float | None, audio_file: Path | None, target: float, as_json: bool
) -> None:
    """Estimated average SPL of a mix (by loudness or file) on an output, and the volume for --target."""
    if (lufs is None) == (audio_file is None):
        raise click.UsageError("Give exactly one of --lufs or --file.")
    profile = load_profile(_profile_path(ctx))
    name = name or profile.current
    if name is None:
        raise click.UsageError("No outputs yet: run `daw-bridge level setup-headphones` or `setup-speakers`.")
    output = profile.output(name)
    loudness = lufs if lufs is not None else file_loudness_lufs(Path(str(audio_file)))
    estimate = estimate_spl_db(output, loudness_lufs=loudness)
    volume_db = volume_for_spl_db(output, loudness_lufs=loudness, target_spl_db=target)
    notes = guidance_for("level_check", output.model, None)
    if as_json:
        echo_json({"output": name, "loudness_lufs": loudness, "spl_db": estimate,
                   "volume_for_target_db": volume_db, "target_spl_db": target, "guidance": notes})
        return
    click.echo(f"{name}: {loudness:.1f} LUFS -> about {estimate:.1f} dB SPL average (1 kHz-equivalent, +/-3 dB)")
    click.echo(f"  {level_advice(estimate, target_db=target)}")
    click.echo(f"  volume for {target:.0f} dB SPL: {volume_db:+.1f} dB (now {output.volume_db:+.1f} dB)")
    note_guidance(notes)


@level_group.command("offset")
@click.argument("name")
@click.option("--db", "offset_db", type=float, required=True, help="Monitoring trim for NAME, dB.")
@click.pass_context
def offset(ctx: click.Context, name: str, offset_db: float) -> None:
    """Set output NAME's trim by ear (so it sounds as loud as the others)."""
    profile = set_offset(load_profile(_profile_path(ctx)), name, offset_db)
    _save(ctx, profile)
    click.echo(_describe(profile.outputs[name], profile.current == name))


@level_group.command("match")
@click.option("--reference", required=True, help="Output the others are matched to (e.g. your speakers).")
@click.pass_context
def match(ctx: click.Context, reference: str) -> None:
    """Compute every output's trim so the estimated SPLs equal the reference's at the current volumes."""
    profile = match_offsets(load_profile(_profile_path(ctx)), reference=reference)
    _save(ctx, profile)
    for name, output in profile.outputs.items():
        click.echo(_describe(output, name == profile.current))
        if output.offset_db > 0:
            click.echo(f"  {name}: a positive trim adds digital gain; prefer turning its volume up "
                       f"{output.offset_db:.1f} dB, record it with `level volume`, and match again.")
    click.echo("Fine-tune by ear with `daw-bridge level offset` (the midrange should sound equally loud).")


@level_group.command("switch")
@click.argument("name")
@json_option
@click.pass_context
def switch(ctx: click.Context, name: str, as_json: bool) -> None:
    """Make NAME the current output and print the monitoring trim to apply."""
    result = switch_output(load_profile(_profile_path(ctx)), name)
    _save(ctx, result.profile)
    if as_json:
        echo_json({"output": name, "gain_db": result.gain_db, "change_db": result.change_db})
        return
    click.echo(f"{name}: set the monitoring trim to {result.gain_db:+.1f} dB ({result.change_db:+.1f} dB change)")


def register(cli: click.Group) -> None:
    cli.add_command(level_group)
