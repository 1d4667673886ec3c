"""Generate the ReaPack index (``index.xml`` at the repository root) from the package headers of our scripts.

A package is a file under a category folder (``daw_bridge/data/reaper/<category>/``) whose header has ``@version``
and no ``@noindex``. Tags read: ``@description``, ``@author``, ``@about`` and ``@changelog`` (indented blocks),
``@provides`` (one file or glob per line, ``[main]``/``[effect]`` type prefixes). The rules follow cfillion's
reapack-index (lib/reapack/index.rb, scanner.rb, provides.rb): the category is the folder, ``@version`` is
mandatory and starts with a digit, ``@provides`` files are relative to the package's folder.

Versions move with the package: every version in the index is ``daw_bridge.__version__``, and writing the index
also sets the ``@version`` (Lua) and ``//version:`` (JSFX) header lines under ``daw_bridge/data/reaper`` to it.
Sources point where a user's REAPER fetches them: the raw files of the repository at the release tag,
``{raw-url}/{ref}/{path in the repository}``, with ``raw-url`` and ``ref`` (default ``v{version}``) from
``[tool.daw-bridge.reapack]`` in pyproject.toml (a fork changes them there) or ``--raw-url``/``--ref``.

    python tools/build_index.py [--check] [--raw-url URL] [--ref REF]

``--check`` exits 1 when index.xml or a header version differs from what the package gives (run in tests).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "daw_bridge" / "data" / "reaper"
INDEX = REPO / "index.xml"
INDEX_NAME = "daw-bridge"
#: Used when pyproject.toml has no [tool.daw-bridge.reapack] (e.g. the tool run on a copy of the scripts).
RAW_URL = "https://raw.githubusercontent.com/daw-bridge/daw-bridge"
REF = "v{version}"
_TAG = re.compile(r"^(?:--|//)\s?@(\w+)\s*(.*)$")
_CONT = re.compile(r"^(?:--|//)(?:\s{2,}(.*)|\s*)$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
#: Header lines that carry a file's version: Lua ``-- @version X``, JSFX ``//version: X``.
_VERSION_LINE = re.compile(r"^(?P<lead>(?:--|//)\s?@version\s+|//version:\s*)(?P<version>\S+)\s*$", re.MULTILINE)
_TYPES = {"main": ("script", "main"), "effect": ("effect", None), "data": ("data", None), "nomain": ("script", None)}


def package_version(repo: Path = REPO) -> str:
    """``__version__`` of ``daw_bridge/__init__.py`` (read, not imported: the tool runs without the package)."""
    text = (repo / "daw_bridge" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if found is None:
        raise SystemExit("daw_bridge/__init__.py has no __version__ line")
    return found.group(1)


def settings(repo: Path = REPO) -> dict[str, str]:
    """``raw-url`` and ``ref`` from ``[tool.daw-bridge.reapack]`` in pyproject.toml, with the defaults."""
    out = {"raw-url": RAW_URL, "ref": REF}
    pyproject = repo / "pyproject.toml"
    if pyproject.exists():
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("daw-bridge", {})
        out.update({k: str(v) for k, v in table.get("reapack", {}).items() if k in out})
    return out


def source_url(raw_url: str, ref: str, path: Path, repo: Path = REPO) -> str:
    """Where REAPER downloads ``path`` (a file of the repository): ``raw_url/ref/<path>``, percent-encoded."""
    rel = path.resolve().relative_to(repo.resolve()).as_posix()
    return f"{raw_url.rstrip('/')}/{quote(ref, safe='')}/{quote(rel, safe='/()-_.~')}"


def version_lines(root: Path = HERE) -> dict[Path, list[str]]:
    """Every script/effect file under ``root`` with the versions its header states."""
    out: dict[Path, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".lua", ".jsfx", ".jsfx-inc", ".eel"):
            head = "\n".join(path.read_text(encoding="utf-8").splitlines()[:40])
            found = [m.group("version") for m in _VERSION_LINE.finditer(head)]
            if found:
                out[path] = found
    return out


def sync_versions(version: str, root: Path = HERE, *, write: bool) -> list[Path]:
    """Files whose header version differs from ``version``; with ``write``, set them to it (first 40 lines only)."""
    stale = [path for path, found in version_lines(root).items() if any(v != version for v in found)]
    if write:
        for path in stale:
            lines = path.read_text(encoding="utf-8").split("\n")
            head = "\n".join(lines[:40])
            head = _VERSION_LINE.sub(lambda m: m.group("lead") + version, head)
            path.write_text("\n".join([head, *lines[40:]]), encoding="utf-8")
    return stale


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


def build(raw_url: str | None = None, ref: str | None = None, root: Path = HERE, *, version: str | None = None,
          repo: Path = REPO) -> str:
    """The index.xml text for the packages under ``root``: every version ``version`` (default: the package's),
    sources at ``raw_url``/``ref`` (defaults: pyproject.toml's ``[tool.daw-bridge.reapack]``)."""
    conf = settings(repo)
    version = version or package_version(repo)
    if not _VERSION.match(version):
        raise SystemExit(f"package version {version!r} must be digits and dots for ReaPack")
    raw_url = raw_url or conf["raw-url"]
    ref = (ref or conf["ref"]).format(version=version)
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
            out.append(f"      <version name={quoteattr(version)}{author}>")
            if p.tags.get("changelog"):
                out.append(f"        <changelog><![CDATA[{p.tags['changelog']}]]></changelog>")
            for rel, kind, main in provided(p):
                url = source_url(raw_url, ref, p.file.parent / rel, repo)
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when index.xml or a header version is stale")
    parser.add_argument("--raw-url", default=None, help="raw-file URL of the repository (default: pyproject.toml)")
    parser.add_argument("--ref", default=None, help="git ref the sources point at (default: v{version})")
    args = parser.parse_args(argv)
    version = package_version()
    stale = sync_versions(version, write=not args.check)
    text = build(args.raw_url, args.ref)
    if args.check:
        current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else ""
        problems = [f"{p.relative_to(REPO)}: header version is not {version}" for p in stale]
        if current != text:
            problems.append(f"{INDEX} is out of date")
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: python tools/build_index.py", file=sys.stderr)
        return 1 if problems else 0
    for path in stale:
        print(f"set version {version} in {path.relative_to(REPO)}")
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
