"""``daw-bridge ab``: the level-matched reference A/B loop."""

from __future__ import annotations

import click

from ..workflows.ab import ABLoop, BlindTest, Switch, find_offset
from . import get_config
from .output import echo_json, json_option
from .session import connected


def _show(switch: Switch, as_json: bool) -> None:
    if as_json:
        echo_json(switch)
        return
    if switch.current == "mix":
        click.echo("Now playing: the mix")
    elif switch.matched:
        click.echo(f"Now playing: {switch.current} (level-matched at {switch.gain_db:+.1f} dB)")
    else:
        click.echo(f"Now playing: {switch.current} (not level-matched yet: run `daw-bridge match`)")


@click.group("ab")
def ab_group() -> None:
    """Switch between the mix and level-matched references (one atomic step each)."""


@ab_group.command("toggle")
@json_option
@click.pass_context
def toggle(ctx: click.Context, as_json: bool) -> None:
    """Mix <-> the current reference."""
    with connected(ctx) as daw:
        _show(ABLoop(daw, get_config(ctx)).toggle(), as_json)


@ab_group.command("next")
@json_option
@click.pass_context
def next_ref(ctx: click.Context, as_json: bool) -> None:
    """Play the next reference (cycles)."""
    with connected(ctx) as daw:
        _show(ABLoop(daw, get_config(ctx)).next_reference(), as_json)


@ab_group.command("mix")
@json_option
@click.pass_context
def mix(ctx: click.Context, as_json: bool) -> None:
    """Play the mix."""
    with connected(ctx) as daw:
        _show(ABLoop(daw, get_config(ctx)).select("mix"), as_json)


@ab_group.command("ref")
@click.argument("reference")
@json_option
@click.pass_context
def ref(ctx: click.Context, reference: str, as_json: bool) -> None:
    """Play reference REFERENCE (a 1-based number or a track name)."""
    with connected(ctx) as daw:
        _show(ABLoop(daw, get_config(ctx)).select(reference), as_json)


@ab_group.command("loop")
@click.argument("start_s", type=float)
@click.argument("end_s", type=float)
@click.pass_context
def loop(ctx: click.Context, start_s: float, end_s: float) -> None:
    """Loop START_S..END_S seconds for every source."""
    with connected(ctx) as daw:
        ABLoop(daw, get_config(ctx)).loop(start_s, end_s)
    click.echo(f"Looping {start_s:.2f}-{end_s:.2f} s")


@ab_group.command("offset")
@click.argument("reference")
@click.argument("offset_s", type=float, required=False)
@click.option("--auto", "auto_files", nargs=2, type=click.Path(exists=True, dir_okay=False),
              help="MIX.wav REF.wav: find the offset by cross-correlation.")
@click.pass_context
def offset(ctx: click.Context, reference: str, offset_s: float | None, auto_files: tuple[str, str] | None) -> None:
    """Store REFERENCE's alignment offset in seconds (or find it with --auto MIX.wav REF.wav)."""
    from ..audio import read_audio

    if auto_files:
        mix_audio, mix_rate = read_audio(auto_files[0])
        ref_audio, ref_rate = read_audio(auto_files[1])
        if mix_rate != ref_rate:
            raise click.ClickException(f"{auto_files[1]} is {ref_rate} Hz but {auto_files[0]} is {mix_rate} Hz")
        offset_s = find_offset(mix_audio, ref_audio, mix_rate)
    if offset_s is None:
        raise click.UsageError("give OFFSET_S or --auto MIX.wav REF.wav")
    with connected(ctx) as daw:
        ABLoop(daw, get_config(ctx)).set_offset(reference, offset_s)
    click.echo(f"{reference}: offset {offset_s:+.3f} s")


@ab_group.command("blind")
@click.pass_context
def blind(ctx: click.Context) -> None:
    """Start a blind round: a hidden random source plays; answer with `ab guess`."""
    with connected(ctx) as daw:
        n = BlindTest(ABLoop(daw, get_config(ctx))).start()
    click.echo(f"Blind round: one of {n} sources is playing. Guess with `daw-bridge ab guess mix|N`.")


@ab_group.command("guess")
@click.argument("answer")
@click.pass_context
def guess(ctx: click.Context, answer: str) -> None:
    """Reveal the blind round: ANSWER is 'mix' or a reference number/name."""
    with connected(ctx) as daw:
        loop = ABLoop(daw, get_config(ctx))
        right, actual, score = BlindTest(loop).guess(answer)
    verdict = "Right" if right else "Wrong"
    click.echo(f"{verdict}: it was {actual}. Score {score.correct}/{score.rounds}.")
    from ..journal.events import record_blind_result

    warning = record_blind_result(get_config(ctx).journal_path, answer=actual, guess=answer, correct=right,
                                  candidates=1 + len(loop.roles.references))
    if warning:
        click.echo(warning, err=True)


def register(cli: click.Group) -> None:
    cli.add_command(ab_group)
