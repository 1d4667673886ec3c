"""Regenerate docs/cli.md from the click command tree: ``python docs/gen_cli.py`` (a test checks it is current)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from daw_bridge.cli import cli

HEADER = """# CLI reference

Generated from the commands' own help by `python docs/gen_cli.py`; every command also takes `--help`.
Global options: `--config FILE` (TOML config), `--daw reaper|ardour`. Commands that report take `--json` for
scripts. Errors print `Error: <Type>: <what and where>` and exit 1 (a `check --fail-on` finding exits 2).
"""


def _line(cmd: click.Command, path: list[str]) -> str:
    args = [p.human_readable_name.upper() for p in cmd.params if isinstance(p, click.Argument)]
    opts = [o for p in cmd.params if isinstance(p, click.Option) for o in p.opts if o.startswith("--")]
    text = re.sub(r"\s+", " ", (cmd.help or "").strip().split("\n\n")[0])
    usage = " ".join(["daw-bridge", *path, *args])
    return f"- `{usage}`: {text}" + (f" Options: {', '.join(f'`{o}`' for o in opts)}." if opts else "")


def render() -> str:
    """The markdown text of the reference."""
    top, groups = [], []
    for name in sorted(cli.commands):
        cmd = cli.commands[name]
        if isinstance(cmd, click.Group):
            first = (cmd.help or "").strip().splitlines()[0]
            body = [_line(cmd.commands[sub], [name, sub]) for sub in sorted(cmd.commands)]
            groups.append(f"## `daw-bridge {name}`\n\n{first}\n\n" + "\n".join(body) + "\n")
        else:
            top.append(_line(cmd, [name]))
    return HEADER + "\n## Commands\n\n" + "\n".join(top) + "\n\n" + "\n".join(groups)


if __name__ == "__main__":
    out = Path(__file__).with_name("cli.md")
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
