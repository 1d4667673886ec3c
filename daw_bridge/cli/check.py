"""``daw-bridge check``: bounce-and-check, and ``daw-bridge match``: level matching."""

from __future__ import annotations

from pathlib import Path

import click

from ..analysis.measurement import Measurement
from ..workflows.bounce import AREAS, CheckResult, bounce_and_check, parse_areas
from ..workflows.controller import active_monitor_chain
from ..workflows.levels import MODES, MatchResult, match_levels
from . import get_config
from .output import echo_json, json_option, stderr_progress
from .session import connected


def print_check(result: CheckResult) -> None:
    """The human summary of a check."""
    dev = result.comparison.to_dict().get("deviation", {})
    click.echo(f"Bounce:  {result.bounce}")
    click.echo(f"Against: {', '.join(m.name for m in result.comparison.references)}")

    def fmt(v: object, unit: str) -> str:
        return f"{v:+.1f} {unit}" if isinstance(v, int | float) else "n/a"

    from ..report.html import heard_difference_lu

    heard = heard_difference_lu(result.heard_lufs, result.comparison.mix.name,
                                [m.name for m in result.comparison.references])  # fmt: skip
    loudness = (f"loudness {fmt(heard, 'LU')} as heard (renders {fmt(dev.get('loudness_lu'), 'LU')})"
                if heard is not None else f"loudness {fmt(dev.get('loudness_lu'), 'LU')} (renders)")
    click.echo(
        f"Overall (mix minus references): {loudness}, "
        f"highs {fmt(dev.get('highs_db'), 'dB')}, width {fmt(dev.get('width_db'), 'dB')}, "
        f"reverb {fmt(dev.get('reverb_db'), 'dB')}"
    )
    if result.comparison.findings:
        click.echo(f"Findings ({len(result.comparison.findings)}, marked in the DAW):")
        for i, f in enumerate(result.comparison.findings):
            click.echo(f"  {f.start_s:6.1f}-{f.end_s:6.1f} s  [{f.area}] {f.message}")
            if i < len(result.advice):
                click.echo(f"      change: {result.advice[i].action}")
    else:
        click.echo("No findings: every section sits within the references.")
    click.echo(f"Report:  {result.report}")
    if result.failed_areas:
        click.echo(f"FAILED on: {', '.join(result.failed_areas)}", err=True)


@click.command("check")
@click.option("--ref", "refs", multiple=True, type=click.Path(path_type=Path),
              help="Reference file (repeatable). Default: render the reference tracks.")
@click.option("--profile", default=None, metavar="NAME",
              help="Compare with a reference profile (a name from 'profile list' or a .json file).")
@click.option("--fail-on", default="", metavar="AREAS",
              help=f"Exit 2 when findings exist in these areas ({','.join(AREAS)} or all).")
@click.option("--timeout", "timeout_s", type=float, default=300.0, show_default=True,
              help="Seconds to wait for each render.")
@click.option("--against-previous", is_flag=True,
              help="Also report what changed since the previous bounce, per song section.")
@json_option
@click.pass_context
def check(ctx: click.Context, refs: tuple[Path, ...], profile: str | None, fail_on: str, timeout_s: float,
          against_previous: bool, as_json: bool) -> None:
    """Render the mix, analyze it against the references, mark deviations in the DAW, write a report."""
    areas = parse_areas(fail_on)
    measurements: tuple[Measurement, ...] = ()
    if profile is not None:
        from ..profiles.store import load_profile

        measurements = load_profile(profile).references
    with connected(ctx) as daw:
        result = bounce_and_check(
            daw, get_config(ctx), reference_files=refs, reference_measurements=measurements, fail_on=areas,
            timeout_s=timeout_s, against_previous=against_previous,
            progress=None if as_json else stderr_progress("check"),
        )
    if as_json:
        extra = {"before_now": result.before_now.to_dict() if result.before_now else None} if against_previous else {}
        echo_json({**result.comparison.to_dict(), "bounce": result.bounce, "report": result.report,
                   "failed_areas": result.failed_areas, "advice": result.advice, "monitoring": result.monitoring,
                   "heard_lufs": result.heard_lufs, **extra})
    else:
        print_check(result)
        if result.before_now is not None:
            from .compare import before_now_summary

            click.echo("\nSince the previous bounce:")
            click.echo("\n".join(before_now_summary(result.before_now)))
        for note in result.notes:
            click.echo(f"note: {note}")
    if result.failed_areas:
        ctx.exit(2)


def print_match(result: MatchResult) -> None:
    """The human summary of a level match."""
    unit = result.unit
    if result.as_heard:
        click.echo(f"Levels as heard through the monitoring chain ({result.mode}; raw render in brackets):")
        click.echo(f"  Mix: {result.mix_heard_level:.1f} {unit} (render {result.mix_level:.1f} {unit})")
    else:
        click.echo(f"Levels ({result.mode}):")
        click.echo(f"  Mix: {result.mix_level:.1f} {unit}")
    for r in result.references:
        raw = f" (render {r.level:.1f} {unit})" if result.as_heard else ""
        click.echo(f"  {r.name}: {r.heard_level:.1f} {unit}{raw} -> track volume {r.volume_before_db:+.1f} dB "
                   f"=> {r.volume_after_db:+.1f} dB ({r.change_db:+.1f} dB)")


@click.command("match")
@click.option("--mode", type=click.Choice(MODES), default="loudness", show_default=True,
              help="loudness: integrated BS.1770; midrange: the 300 Hz-3 kHz band.")
@click.option("--range", "time_range", nargs=2, type=float, default=None, metavar="START END",
              help="Render only this range in seconds (e.g. the loop).")
@json_option
@click.pass_context
def match(ctx: click.Context, mode: str, time_range: tuple[float, float] | None, as_json: bool) -> None:
    """Set every reference track's volume so it sounds as loud as the mix."""
    start_s, end_s = time_range if time_range else (None, None)
    with connected(ctx) as daw:
        result = match_levels(
            daw, get_config(ctx), mode=mode, start_s=start_s, end_s=end_s, monitor_chain=active_monitor_chain(daw),
            progress=None if as_json else stderr_progress("match"),
        )
    if as_json:
        echo_json(result)
    else:
        print_match(result)


def register(cli: click.Group) -> None:
    cli.add_command(check)
    cli.add_command(match)
