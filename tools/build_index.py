"""Generate the ReaPack index (``index.xml`` at the repository root) from the package headers of our scripts.

A package is a file under a category folder (``daw_bridge/data/reaper/<category>/``) whose header has ``@version``
and no ``@noindex``. Tags read: ``@description``, ``@version``, ``@author``, ``@about`` and ``@changelog``
(indented blocks), ``@provides`` (one file or glob per line, ``[main]``/``[effect]`` type prefixes).

    python tools/build_index.py [--check] [--url-base URL]

``--check`` exits 1 when index.xml differs from what the headers give (run in tests).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "daw_bridge" / "data" / "reaper"
INDEX = REPO / "index.xml"
INDEX_NAME = "daw-bridge"
URL_BASE = "https://raw.githubusercontent.com/daw-bridge/daw-bridge/main/daw_bridge/data/reaper"
_TAG = re.compile(r"^(?:--|//)\s?@(\w+)\s*(.*)$")
_CONT = re.compile(r"^(?:--|//)(?:\s{2,}(.*)|\s*)$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_TYPES = {"main": ("script", "main"), "effect": ("effect", None), "data": ("data", None), "nomain": ("script", None)}


@dataclass
class Package:
    """One ReaPack package read from a header."""

    category: str
    file: Path
    tags: dict[str, str] = field(default_factory=dict)


def read_header(path: Path) -> dict[str, str]:
    """The ``@tag`` values of ``path``'s leading comment block (multi-line values joined with newlines)."""
    tags: dict[str, str] = {}
    current: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith(("--", "//")):
            break
        tag = _TAG.match(line)
        if tag:
            current = tag.group(1).lower()
            tags[current] = tag.group(2).strip()
            continue
        cont = _CONT.match(line)
        if current and cont:
            tags[current] = tags[current] + "\n" + (cont.group(1) or "")
        else:
            current = None
    return {k: v.strip("\n") for k, v in tags.items()}


def find_packages(root: Path = HERE) -> list[Package]:
    """Every indexed package under ``root``'s category folders."""
    out = []
    for category in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(category.glob("*.lua")):
            tags = read_header(path)
            if "version" in tags and "noindex" not in tags:
                if not _VERSION.match(tags["version"]):
                    raise SystemExit(f"{path}: @version {tags['version']!r} must be digits and dots")
                out.append(Package(category.name, path, tags))
    return out


def provided(package: Package) -> list[tuple[str, str, str | None]]:
    """(file relative to the category, type, main section) for the package file and each @provides line."""
    folder = package.file.parent
    files: list[tuple[str, str, str | None]] = [(package.file.name, "script", "main")]
    for line in package.tags.get("provides", "").splitlines():
        line = line.strip()
        if not line:
            continue
        kind, main = "script", None
        prefix = re.match(r"^\[(\w+)\]\s*(.*)$", line)
        if prefix:
            kind, main = _TYPES.get(prefix.group(1), ("script", None))
            line = prefix.group(2)
        matches = sorted(folder.glob(line))
        for match in matches:
            rel = match.relative_to(folder).as_posix()
            if rel != package.file.name:
                files.append((rel, kind, main))
    return files


def to_rtf(markdown: str) -> str:
    """Plain RTF for ReaPack's about box (ReaPack shows RTF; headings and lists stay as text)."""
    body = "\\par\n".join(
        line.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") for line in markdown.splitlines()
    )
    return "{\\rtf1\\ansi\\deff0\n" + body + "\n}"


def build(url_base: str = URL_BASE, root: Path = HERE) -> str:
    """The index.xml text for the packages under ``root``."""
    out = ['<?xml version="1.0" encoding="utf-8"?>', f'<index version="1" name={quoteattr(INDEX_NAME)}>']
    categories: dict[str, list[Package]] = {}
    for package in find_packages(root):
        categories.setdefault(package.category, []).append(package)
    for category, packages in categories.items():
        out.append(f"  <category name={quoteattr(category)}>")
        for p in packages:
            desc = p.tags.get("description", p.file.stem)
            out.append(f'    <reapack name={quoteattr(p.file.name)} type="script" desc={quoteattr(desc)}>')
            if p.tags.get("about"):
                about = to_rtf(p.tags["about"])
                out.append(f"      <metadata><description><![CDATA[{about}]]></description></metadata>")
            author = f" author={quoteattr(p.tags['author'])}" if p.tags.get("author") else ""
            out.append(f"      <version name={quoteattr(p.tags['version'])}{author}>")
            if p.tags.get("changelog"):
                out.append(f"        <changelog><![CDATA[{p.tags['changelog']}]]></changelog>")
            for rel, kind, main in provided(p):
                url = f"{url_base}/{category}/{rel}".replace(" ", "%20")
                attrs = f" file={quoteattr(rel)}"
                attrs += f' type="{kind}"' if kind != "script" else ""
                attrs += f' main="{main}"' if main else ""
                out.append(f"        <source{attrs}>{escape(url)}</source>")
            out.append("      </version>")
            out.append("    </reapack>")
        out.append("  </category>")
    out.append("</index>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when index.xml is out of date")
    parser.add_argument("--url-base", default=URL_BASE, help="raw-file URL of the daw_bridge/data/reaper folder")
    args = parser.parse_args(argv)
    text = build(args.url_base)
    if args.check:
        current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else ""
        if current != text:
            print(f"{INDEX} is out of date: run python tools/build_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
