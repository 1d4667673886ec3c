"""Open the configured DAW for one command and close it afterwards (the commands' shared plumbing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..backends import open_daw
from ..daw import Daw
from . import get_config


@contextmanager
def connected(ctx: click.Context) -> Iterator[Daw]:
    """The connected DAW of the config; closed when the block ends, whatever happens."""
    daw = open_daw(get_config(ctx))
    try:
        yield daw
    finally:
        daw.close()


def reaper_only(ctx: click.Context, what: str) -> None:
    """Refuse ``--daw ardour`` (or any non-REAPER ``--daw``) for a command that exists only for REAPER."""
    root = ctx.find_root()
    chosen = root.obj.get("daw") if isinstance(root.obj, dict) else None
    if chosen not in (None, "reaper"):
        raise click.UsageError(
            f"{what} is for REAPER only; --daw {chosen} has no meaning here "
            "(Ardour set-up: docs/ardour.md; the DAW commands honour --daw ardour)."
        )
