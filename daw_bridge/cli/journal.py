"""``daw-bridge journal``: the listening journal - guided sessions, notes, patterns, review, export, repair."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import DawBridgeError
from ..journal.context import current_reference, listening_now
from ..journal.guided import CHECKLIST, Answer, BandSolo, Step, remaining, run_checklist
from ..journal.notes import parse_note
from ..journal.patterns import check_offsets, find_patterns
from ..journal.repair import recover
from ..journal.review import (
    export_csv,
    export_json,
    export_markdown,
    note_line,
    pattern_json,
    review_html,
    review_text,
    to_reread,
)
from ..journal.schema import SCHEMA_VERSION, schema_version
from ..journal.store import Journal
from . import get_config
from .output import echo_json, json_option


def journal_path(ctx: click.Context) -> Path:
    """``--journal`` if given, else ``[paths] journal`` of the config."""
    chosen = ctx.find_object(dict)
    override = (chosen or {}).get("journal_override")
    return Path(override) if override else Path(get_config(ctx).journal_path)


def open_journal(ctx: click.Context) -> Journal:
    journal = Journal(journal_path(ctx))
    ctx.call_on_close(journal.close)
    return journal


@click.group("journal")
@click.option("--journal", "journal_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Journal file (default: [paths] journal in the config, else journal.sqlite in the data dir).")
@click.pass_context
def journal_group(ctx: click.Context, journal_file: Path | None) -> None:
    """Learn your headphones: notes on familiar references, and the patterns they show across songs."""
    ctx.ensure_object(dict)
    ctx.obj["journal_override"] = journal_file


def _headphone(journal: Journal, model: str, amp: str, correction: bool | None) -> int:
    from ..monitoring import load_state

    state = load_state()
    on = state.headphones is not None and state.headphones.lower() == model.strip().lower()
    corrected = on if correction is None else correction
    return journal.headphone(model, preset=(state.headphones or "") if corrected and on else "",
                             correction=corrected, crossfeed=(state.crossfeed or "") if on else "", amp=amp)


def _reference(journal: Journal, reference: Path | None, title: str | None, artist: str | None,
               daw_title: str | None) -> int | None:
    if reference is not None:
        return journal.reference_from_file(reference, title=title, artist=artist)
    if title:
        return journal.reference(title, artist=artist or "")
    if daw_title:
        return journal.reference(daw_title)
    return None


_reference_options = [
    click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="The reference's audio file (identified by its hash)."),
    click.option("--title", help="The reference's title (default: from the file name or the DAW's A/B reference)."),
    click.option("--artist", help="The reference's artist."),
]


def _with_reference_options(func: Any) -> Any:
    for option in reversed(_reference_options):
        func = option(func)
    return func


def _prompter(err: bool) -> Any:
    def ask(step: Step, number: int, total: int) -> Answer:
        click.echo(f"\n[{number}/{total}] {step.prompt}", err=err)
        while True:
            said = click.prompt("  less / as expected / more (-, =, +); s skips, q stops for now", err=err).strip()
            if said.lower() in ("s", "skip"):
                return "skip"
            if said.lower() in ("q", "quit", "stop"):
                return "stop"
            try:
                direction = parse_note(aspect=step.aspect, direction=said).direction
                break
            except DawBridgeError as exc:
                click.echo(f"  {exc}", err=err)
        while True:
            strength = click.prompt("  strength 1 slight, 2 clear, 3 strong", default="2", err=err)
            position = click.prompt("  where in the song (seconds or m:ss; empty: none)", default="",
                                    show_default=False, err=err)
            text = click.prompt("  note (optional)", default="", show_default=False, err=err)
            try:
                return parse_note(aspect=step.aspect, direction=direction, strength=strength, band=step.band,
                                  position_s=_seconds(position), text=text)
            except DawBridgeError as exc:
                click.echo(f"  {exc}", err=err)

    return ask


def _seconds(text: str) -> float | str | None:
    text = text.strip()
    if not text:
        return None
    if ":" in text:
        minutes, _, secs = text.partition(":")
        try:
            return int(minutes) * 60 + float(secs)
        except ValueError:
            return text
    return text


@journal_group.command("session")
@click.option("--headphones", required=True, help='Headphone model, e.g. "Sennheiser HD 650".')
@_with_reference_options
@click.option("--amp", default="", help="Amp or output the headphones are driven from (default: the level profile's).")
@click.option("--correction/--no-correction", default=None,
              help="Whether the correction is on (default: from the saved monitoring state).")
@click.option("--level-db", type=float, default=None,
              help="Listening level (dB SPL); default: estimated from the level profile and the mix's loudness.")
@click.option("--no-daw", is_flag=True, help="Do not connect to the DAW (no band solo; give --reference/--title).")
@click.option("--new", "fresh", is_flag=True, help="Start a new session instead of resuming an unfinished one.")
@json_option
@click.pass_context
def session_cmd(ctx: click.Context, headphones: str, reference: Path | None, title: str | None, artist: str | None,
                amp: str, correction: bool | None, level_db: float | None, no_daw: bool, fresh: bool,
                as_json: bool) -> None:
    """Walk the critical-listening checklist for the current reference, aspect by aspect, then band by band.

    Band questions solo that band on the monitoring path. Answer less / as expected / more, skip a step with s, or
    stop with q: the next session for the same headphones and reference resumes where you stopped.
    """
    journal = open_journal(ctx)
    if no_daw:
        _session(ctx, journal, None, headphones, reference, title, artist, amp, correction, level_db, fresh,
                 as_json)
        return
    from ..errors import DawUnreachable
    from .session import connected

    try:
        with connected(ctx) as daw:
            _session(ctx, journal, daw, headphones, reference, title, artist, amp, correction, level_db, fresh,
                     as_json)
    except DawUnreachable as exc:
        raise click.ClickException(f"DawUnreachable: {exc} (to take notes without the DAW and without band solo, "
                                   "add --no-daw and --title or --reference)") from exc


def _session(ctx: click.Context, journal: Journal, daw: Any, headphones: str, reference: Path | None,
             title: str | None, artist: str | None, amp: str, correction: bool | None, level_db: float | None,
             fresh: bool, as_json: bool) -> None:
    now = listening_now(daw)
    hp = _headphone(journal, headphones, amp or now.output or "", correction)
    level_db = level_db if level_db is not None else now.level_db
    ref = _reference(journal, reference, title, artist, current_reference(daw) if daw is not None else None)
    if ref is None:
        raise click.UsageError("which reference? Give --reference FILE or --title, or select one in the A/B loop")
    resumed = None if fresh else journal.open_guided_session(hp, ref)
    session = resumed if resumed is not None else journal.start_session(
        hp, ref, level_db=level_db, level_unit="dB SPL" if level_db is not None else "", source="guided")
    left = remaining(journal, session)
    if not as_json:
        verb = "Resuming" if resumed is not None else "Starting"
        click.echo(f"{verb} session {session}: {len(left)} of {len(CHECKLIST)} step(s) to go.")
    walk = run_checklist(journal, session, _prompter(err=as_json), solo=BandSolo(daw))
    if as_json:
        echo_json({"session": session, "resumed": resumed is not None, "answered": walk.answered,
                   "skipped": walk.skipped, "complete": walk.complete,
                   "remaining": [s.key for s in remaining(journal, session)]})
        return
    state = "complete" if walk.complete else "stopped: run the same command to resume"
    click.echo(f"\n{len(walk.answered)} answered, {len(walk.skipped)} skipped; session {session} {state}.")


@journal_group.command("note")
@click.option("--headphones", required=True, help="Headphone model.")
@click.option("--aspect", required=True, help="bass, mids, highs, ambience, stereo image, depth, overall level.")
@click.option("--direction", required=True, help="less, as expected or more (-, =, +).")
@click.option("--strength", default="2", show_default=True, help="1 slight, 2 clear, 3 strong.")
@click.option("--band", default=None, help="One of the seven listening bands (sub ... highs).")
@click.option("--at", "position", default=None, help="Where in the song (seconds or m:ss).")
@click.option("--text", default="", help="What you heard, in your words.")
@_with_reference_options
@json_option
@click.pass_context
def note_cmd(ctx: click.Context, headphones: str, aspect: str, direction: str, strength: str, band: str | None,
             position: str | None, text: str, reference: Path | None, title: str | None, artist: str | None,
             as_json: bool) -> None:
    """Add one note without the checklist (it joins the unfinished session for the headphones and reference)."""
    note = parse_note(aspect=aspect, direction=direction, strength=strength, band=band,
                      position_s=_seconds(position or ""), text=text)
    journal = open_journal(ctx)
    hp = _headphone(journal, headphones, "", None)
    ref = _reference(journal, reference, title, artist, None)
    if ref is None:
        raise click.UsageError("which reference? Give --reference FILE or --title")
    session = journal.open_guided_session(hp, ref) or journal.start_session(hp, ref, source="guided")
    note_id = journal.add_observation(session, aspect=note.aspect, band=note.band, direction=note.direction,
                                      strength=note.strength, position_s=note.position_s, text=note.text)
    stored = journal.note(note_id)
    if as_json:
        echo_json(stored)
        return
    click.echo(f"noted: {note_line(stored)}")


@journal_group.command("patterns")
@click.option("--headphones", default=None, help="Only this headphone model.")
@json_option
@click.pass_context
def patterns_cmd(ctx: click.Context, headphones: str | None, as_json: bool) -> None:
    """What is consistent across different references, per headphone and aspect/band (sign-tested)."""
    journal = open_journal(ctx)
    patterns = find_patterns(journal.notes(headphones=headphones))
    if as_json:
        echo_json({"patterns": [pattern_json(p) for p in patterns], "check_offsets": check_offsets(patterns)})
        return
    if not patterns:
        click.echo("No notes yet" + (f" for {headphones}" if headphones else "") + ".")
        return
    click.echo(review_text(journal.notes(headphones=headphones), patterns, reread=False))
    for label, offsets in check_offsets(patterns).items():
        items = ", ".join(f"{k} {v:+.1f}" for k, v in offsets.items())
        click.echo(f"bounce-and-check offsets for {label}: {items}")


@journal_group.command("review")
@click.option("--headphones", default=None, help="Only this headphone model.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the page (self-contained HTML) to this file.")
@json_option
@click.pass_context
def review_cmd(ctx: click.Context, headphones: str | None, html_path: Path | None, as_json: bool) -> None:
    """The notes to reread before a session, with each headphone's pattern (--html draws it as a page)."""
    journal = open_journal(ctx)
    notes = journal.notes(headphones=headphones)
    patterns = find_patterns(notes)
    blind = journal.blind_results()
    if html_path is not None:
        try:
            html_path.write_text(review_html(notes, patterns, blind=blind), encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {html_path}: {exc.strerror or exc}") from exc
    if as_json:
        echo_json({"reread": to_reread(notes, patterns),
                   "patterns": [pattern_json(p) for p in patterns if p.status != "none"],
                   "blind": {"rounds": len(blind), "right": sum(bool(b["correct"]) for b in blind)},
                   "html": html_path})
        return
    click.echo(review_text(notes, patterns, blind=blind))
    if html_path is not None:
        click.echo(f"\npage: {html_path}")


@journal_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True,
              help="Markdown, CSV (one row per note) or JSON (notes, patterns, blind results).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@json_option
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path | None, as_json: bool) -> None:
    """Export the journal to Markdown, CSV or JSON (--json is --format json)."""
    journal = open_journal(ctx)
    notes = journal.notes()
    fmt = "json" if as_json else fmt
    patterns = find_patterns(notes)
    text = {"md": lambda: export_markdown(notes, patterns), "csv": lambda: export_csv(notes),
            "json": lambda: export_json(notes, patterns, journal.blind_results())}[fmt]()
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"{len(notes)} note(s) written to {output}", err=True)


@journal_group.command("info")
@json_option
@click.pass_context
def info_cmd(ctx: click.Context, as_json: bool) -> None:
    """Where the journal is, its schema version, what it holds and whether SQLite finds it healthy."""
    journal = open_journal(ctx)
    data = {"path": journal.path, "schema": schema_version(journal.conn), "schema_known": SCHEMA_VERSION,
            "counts": journal.counts(), "integrity": journal.integrity()}
    if as_json:
        echo_json(data)
        return
    click.echo(f"journal {journal.path} (schema {data['schema']}), integrity: {data['integrity']}")
    for table, count in journal.counts().items():
        click.echo(f"  {table:<18} {count}")


@journal_group.command("recover")
@json_option
@click.pass_context
def recover_cmd(ctx: click.Context, as_json: bool) -> None:
    """Move a damaged journal aside (kept, never deleted) and start afresh with every row that still reads."""
    result = recover(journal_path(ctx))
    if as_json:
        echo_json(result)
        return
    click.echo(f"old journal kept as {result.kept_as}")
    for table, count in result.copied.items():
        click.echo(f"  {table:<18} {count} row(s) copied")
    for table, why in result.unreadable.items():
        click.echo(f"  {table:<18} unreadable ({why})")


def register(cli: click.Group) -> None:
    cli.add_command(journal_group)
