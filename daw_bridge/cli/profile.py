"""``daw-bridge profile build/list/show/import``: reference profiles, compared against without their audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .output import echo_json, json_option


@click.group("profile")
def profile_group() -> None:
    """Reference profiles: a set of references kept as numbers (build once, compare with --profile)."""


@profile_group.command("build")
@click.argument("name")
@click.option("--refs-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A folder of reference tracks.")
@click.option("--ref", "refs", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A reference track (repeatable).")
@click.option("--force", is_flag=True, help="Replace a profile of the same name.")
@click.option("--no-cache", is_flag=True, help="Measure every file again.")
@json_option
def build(name: str, refs_dir: Path | None, refs: tuple[Path, ...], force: bool, no_cache: bool,
          as_json: bool) -> None:
    """Measure the references and store them as profile NAME (numbers only, no audio)."""
    from ..analysis.cache import AnalysisCache
    from ..errors import ProfileError
    from ..profiles.store import build_profile, check_name, profiles_dir, save_profile
    from .analyze import collect_references, measure_file, measure_references

    check_name(name)
    if not force and (profiles_dir() / f"{name}.json").exists():
        raise ProfileError(f"profile {name!r} already exists at {profiles_dir() / (name + '.json')}: "
                           "pass --force to replace it")
    paths = collect_references(refs, refs_dir, None)
    if not paths:
        raise ProfileError("give the references: --refs-dir DIR and/or --ref FILE")
    cache = None if no_cache else AnalysisCache()
    measured = measure_references(paths, lambda p: measure_file(p, cache, None, 4.0, as_json),
                                  may_skip=set(paths) - set(refs))  # fmt: skip
    if not measured:
        raise ProfileError("no reference could be measured: " + ", ".join(str(p) for p in paths))
    profile = build_profile(name, measured)
    path = save_profile(profile, force=force)
    if as_json:
        echo_json({"name": profile.name, "path": str(path), "references": [m.name for m in profile.references],
                   "analysis_version": profile.analysis_version})
        return
    click.echo(f"Profile {profile.name!r}: {len(profile.references)} reference(s), saved as {path}")
    click.echo(f"Compare with it: daw-bridge analyze MIX --profile {_quoted(profile.name)}")


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


@profile_group.command("list")
@json_option
def list_cmd(as_json: bool) -> None:
    """List the profiles in the profiles folder."""
    from ..profiles.store import list_profiles, load_profile, profiles_dir

    rows: list[dict[str, Any]] = []
    for name in list_profiles():
        try:
            p = load_profile(name)
            rows.append({"name": name, "references": len(p.references), "created": p.created, "ok": True})
        except Exception as exc:  # noqa: BLE001  (a broken file is listed with its reason, not fatal)
            rows.append({"name": name, "ok": False, "error": str(exc)})
    if as_json:
        echo_json({"folder": str(profiles_dir()), "profiles": rows})
        return
    if not rows:
        click.echo(f"No profiles yet in {profiles_dir()} (build one: daw-bridge profile build NAME --refs-dir DIR)")
    for row in rows:
        if row["ok"]:
            click.echo(f"{row['name']}: {row['references']} reference(s), built {row['created']}")
        else:
            click.echo(f"{row['name']}: unusable ({row['error']})")


@profile_group.command("show")
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> None:
    """Show profile NAME (a name or a .json path): its references and the range of each figure."""
    from ..profiles.store import load_profile

    profile = load_profile(name)
    summary = profile.summary()
    if as_json:
        echo_json({"name": profile.name, "created": profile.created, "analysis_version": profile.analysis_version,
                   "references": [m.name for m in profile.references], "summary": summary})
        return
    click.echo(f"{profile.name}: {len(profile.references)} reference(s), built {profile.created}")
    click.echo("  references: " + ", ".join(m.name for m in profile.references))
    click.echo(f"  {'figure':32} {'min':>8} {'median':>8} {'max':>8}")
    for key, row in summary.items():
        click.echo(f"  {key:32} {row['min']:8.1f} {row['median']:8.1f} {row['max']:8.1f}  {row['unit']}")


@profile_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a profile of the same name.")
def import_cmd(file: Path, force: bool) -> None:
    """Check a shared profile FILE and add it to your profiles."""
    from ..profiles.store import load_profile, save_profile

    profile = load_profile(file)
    path = save_profile(profile, force=force)
    click.echo(f"Imported profile {profile.name!r} ({len(profile.references)} reference(s)) as {path}")


def register(cli: click.Group) -> None:
    cli.add_command(profile_group)
