"""Shared output helpers: ``--json`` flag, one JSON encoder, progress on stderr."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """The shared ``--json`` flag (machine-readable output on stdout)."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")(func)


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, numpy values, paths and non-finite floats into plain JSON values.

    NaN and +-inf become None (JSON has no such numbers); -inf dB figures are documented as null.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    np = sys.modules.get("numpy")  # no numpy value can exist before numpy is imported: never import it here
    if np is not None and isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if np is not None and isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    return value


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    click.echo(json.dumps(to_jsonable(value), indent=2, sort_keys=False))


def stderr_progress(label: str) -> Callable[[float, str], None]:
    """A progress callback printing ``label: 42% message`` on stderr (one line, redrawn on a terminal)."""
    tty = sys.stderr.isatty()
    last = [-1]

    def report(fraction: float, message: str) -> None:
        pct = int(max(0.0, min(1.0, fraction)) * 100)
        if pct == last[0] and fraction < 1.0:
            return
        last[0] = pct
        text = f"{label}: {pct:3d}% {message}"
        if tty:
            click.echo("\r" + text.ljust(78), err=True, nl=fraction >= 1.0)
        elif pct % 25 == 0 or fraction >= 1.0:
            click.echo(text, err=True)

    return report
