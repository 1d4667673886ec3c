"""index.xml follows ReaPack's rules and points where a user's REAPER fetches the files, at the package version.

The rules are reapack-index's (cfillion/reapack-index: lib/reapack/index.rb for the package types by extension
and the name rules, scanner.rb for the mandatory ``@version`` starting with a digit and ``@provides`` resolving
to files relative to the package's category folder, provides.rb for the ``[options]`` of a line) and ReaPack's
index format (``index version="1"``, ``category``/``reapack``/``version``/``source``). Checked here on the
committed index.xml independently of tools/build_index.py, which generates it.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest

import daw_bridge

ROOT = Path(__file__).resolve().parents[2]
REAPER = ROOT / "daw_bridge" / "data" / "reaper"
#: reapack-index's package types and the extensions that make them (lib/reapack/index.rb, PKG_TYPES).
PKG_TYPES = {"script": {"lua", "eel", "py"}, "extension": {"ext"}, "effect": {"jsfx"}, "data": {"data"},
             "theme": {"theme"}, "langpack": {"reaperlangpack"}, "webinterface": {"www"}, "projecttpl": {"rpp"},
             "tracktpl": {"rtracktemplate"}, "midinotenames": {"txt"}, "autoitem": {"reaperautoitem"},
             "keymap": {"reaperkeymap"}}  # fmt: skip
#: Action list sections a ``main`` attribute may name (ReaPack's index format).
SECTIONS = {"main", "midi_editor", "midi_inlineeditor", "midi_eventlisteditor", "mediaexplorer", "crossfade"}
NAME_OK = re.compile(r"\A[^*\\:<>?/|\"\x00-\x1f]+\Z")
NAME_BAD = re.compile(r"\A(:?[. ].*|.+[. ]|CLOCK\$|COM\d|LPT\d)\Z", re.IGNORECASE)
#: Files of the category folder ReaPack cannot carry (no package type): the installer copies them.
NOT_REAPACK = {".ReaperOSC"}


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("build_index_for_tests", ROOT / "tools" / "build_index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _header(path: Path) -> dict[str, str]:
    tags: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith(("--", "//")):
            break
        tag = re.match(r"^(?:--|//)\s?@(\w+)\s*(.*)$", line)
        if tag:
            current = tag.group(1).lower()
            tags[current] = tag.group(2).strip()
        elif current and re.match(r"^(?:--|//)\s{2,}", line):
            tags[current] += "\n" + line[2:].strip()
    return tags


def _source_path(url: str, prefix: str) -> Path:
    assert url.startswith(prefix), f"{url} does not start with {prefix}"
    assert urlsplit(url).scheme == "https" and not re.search(r"\s", url), url
    return ROOT / unquote(url.removeprefix(prefix))


def test_index_and_header_versions_are_current() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "build_index.py"), "--check"], capture_output=True,
                         text=True)  # fmt: skip
    assert out.returncode == 0, out.stderr


def test_index_follows_reapacks_rules() -> None:
    tool = _tool()
    conf = tool.settings()
    version = daw_bridge.__version__
    prefix = f"{conf['raw-url'].rstrip('/')}/{conf['ref'].format(version=version)}/"
    root = ElementTree.parse(ROOT / "index.xml").getroot()
    assert root.tag == "index" and root.get("version") == "1"
    assert NAME_OK.match(root.get("name", "")) and not NAME_BAD.match(root.get("name", ""))
    provided: set[Path] = set()
    categories = root.findall("category")
    assert categories, "no category"
    for category in categories:
        folder = REAPER / category.get("name", "")
        assert folder.is_dir(), f"category {category.get('name')!r} is not a folder under {REAPER}"
        for package in category.findall("reapack"):
            name, kind = package.get("name", ""), package.get("type", "")
            assert NAME_OK.match(name) and not NAME_BAD.match(name), name
            path = folder / name
            assert path.is_file(), f"package {name} is not a file of its category folder"
            assert path.suffix[1:].lower() in PKG_TYPES[kind], f"{name}: type {kind} does not fit its extension"
            assert package.get("desc"), name
            header = _header(path)
            assert re.match(r"\d", header.get("version", "")), f"{name}: @version is mandatory and starts with a digit"
            assert "noindex" not in header
            versions = package.findall("version")
            assert [v.get("name") for v in versions] == [version], "the index version is the package version"
            for ver in versions:
                targets: set[tuple[str, str]] = set()
                sources = ver.findall("source")
                assert sources, f"{name} {ver.get('name')}: no sources"
                for src in sources:
                    file = _source_path(src.text or "", prefix)
                    assert file.is_file() and file.is_relative_to(folder), f"{src.text} is not a file of {folder}"
                    rel = file.relative_to(folder).as_posix()
                    assert src.get("file", rel) == rel, (src.get("file"), rel)
                    src_type = src.get("type", kind)
                    assert src_type in PKG_TYPES, src_type
                    if file.suffix in (".jsfx", ".jsfx-inc"):
                        assert src_type == "effect", f"{rel} must install as an effect"
                    assert set((src.get("main") or "main").split()) <= SECTIONS, src.get("main")
                    target = (src_type, rel)
                    assert target not in targets, f"two sources install {rel}"
                    targets.add(target)
                    provided.add(file)
                assert any(_source_path(s.text or "", prefix) == path for s in sources), "the package file itself"
                for line in filter(str.strip, header.get("provides", "").splitlines()):
                    pattern = re.sub(r"^\[[^\]]*\]\s*", "", line.strip())
                    assert pattern and any(p in provided for p in folder.glob(pattern)), f"@provides {line!r}"
    shipped = {p for p in REAPER.rglob("*") if p.is_file() and p.suffix not in NOT_REAPACK}
    assert shipped - provided == set(), f"not in the ReaPack index: {sorted(shipped - provided)}"


def test_versions_and_urls_follow_the_package_version_and_the_configured_repository() -> None:
    tool = _tool()
    text = tool.build(version="2.3.4")
    root = ElementTree.fromstring(text)
    assert {v.get("name") for v in root.iter("version")} == {"2.3.4"}
    assert all("/v2.3.4/daw_bridge/data/reaper/" in (s.text or "") for s in root.iter("source"))
    fork = ElementTree.fromstring(tool.build("https://git.example.org/me/fork/raw/", "main"))
    urls = [s.text or "" for s in fork.iter("source")]
    assert urls and all(u.startswith("https://git.example.org/me/fork/raw/main/daw_bridge/data/reaper/") for u in urls)
    raw = "https://raw.githubusercontent.com/daw-bridge/daw-bridge"
    assert tool.settings() == {"raw-url": raw, "ref": "v{version}"}  # pyproject.toml's [tool.daw-bridge.reapack]
    assert tool.package_version() == daw_bridge.__version__


def test_writing_the_index_sets_every_header_version(tmp_path: Path) -> None:
    tool = _tool()
    copy = tmp_path / "reaper"
    shutil.copytree(REAPER, copy)
    before = tool.version_lines(copy)
    assert before and {v for found in before.values() for v in found} == {daw_bridge.__version__}
    stale = tool.sync_versions("7.1", copy, write=True)
    assert set(stale) == set(before)
    assert {v for found in tool.version_lines(copy).values() for v in found} == {"7.1"}
    assert tool.sync_versions("7.1", copy, write=False) == []
    lua = copy / "daw-bridge" / "daw-bridge_Bridge.lua"
    original = (REAPER / "daw-bridge" / "daw-bridge_Bridge.lua").read_text(encoding="utf-8")
    assert lua.read_text(encoding="utf-8") == original.replace(f"@version {daw_bridge.__version__}", "@version 7.1", 1)


@pytest.mark.parametrize("bad", ["v1", "1.0-beta", "x"])
def test_a_package_version_reapack_cannot_read_is_refused(bad: str) -> None:
    with pytest.raises(SystemExit):
        _tool().build(version=bad)
