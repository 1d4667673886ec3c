"""Security defaults: listeners bind to 127.0.0.1 unless configured, the mailbox is private to the user, and
nothing from input is downloaded or executed (checked on the source of the package and the Lua scripts)."""

from __future__ import annotations

import inspect
import os
import re
import stat
from pathlib import Path

import pytest

from daw_bridge.config import Config
from daw_bridge.emulator.core import Emulator
from daw_bridge.emulator.server import EmulatorServer
from daw_bridge.reaper.bridge import BridgeClient, EventWatcher, ensure_mailbox
from daw_bridge.reaper.transport import UdpTransport

from .session import small_project

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "daw_bridge"
LUA = sorted((ROOT / "daw_bridge" / "data" / "reaper").rglob("*.lua"))
ARDOUR_LUA = sorted((ROOT / "daw_bridge" / "data" / "ardour").rglob("*.lua"))
# The one deliberate ``load``: hook_state.lua is a command-line build tool (run by ardour7-lua, not inside Ardour) that
# compiles the hook file named on its own command line to string.dump its factory, as Ardour's Script Manager does.
ALLOWED_ARDOUR_LOADS = {("hook_state.lua", 'assert(load(source, "=" .. PATH))()')}


def test_config_defaults_are_loopback() -> None:
    cfg = Config()
    assert cfg.host == "127.0.0.1" and cfg.listen_host == "127.0.0.1"


@pytest.mark.parametrize(("cls", "params"), [(UdpTransport, ["listen_host"]),
                                              (EmulatorServer, ["host", "send_host"])])
def test_listener_defaults_are_loopback(cls: type, params: list[str]) -> None:
    sig = inspect.signature(cls)
    for name in params:
        assert sig.parameters[name].default == "127.0.0.1", f"{cls.__name__}({name}=...) default"


def test_listeners_actually_bind_loopback() -> None:
    transport = UdpTransport("127.0.0.1", 9, listen_port=0)
    try:
        assert transport._sock.getsockname()[0] == "127.0.0.1"
    finally:
        transport.close()
    server = EmulatorServer(Emulator(small_project(1)), listen_port=0, send_port=9)
    server.start()
    try:
        assert server._sock is not None and server._sock.getsockname()[0] == "127.0.0.1"
    finally:
        server.stop()


def test_every_bind_in_the_package_is_configurable_or_loopback() -> None:
    """A literal wildcard address may only appear where a foreign program forces it (Ardour binds 0.0.0.0)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""bind\(\(\s*["'](0\.0\.0\.0|)["']""", line) and "ardour/process.py" not in path.as_posix():
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_mailbox_is_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        box = ensure_mailbox(tmp_path / "a" / "bridge")
        BridgeClient(tmp_path / "b" / "bridge", lambda: None)
        EventWatcher(tmp_path / "c" / "bridge", lambda e: None)
    finally:
        os.umask(old)
    for root in (box, tmp_path / "b" / "bridge", tmp_path / "c" / "bridge"):
        for folder in (root, root / "requests", root / "responses", root / "events"):
            assert _mode(folder) == 0o700, f"{folder} is {oct(_mode(folder))}"


def test_an_existing_open_mailbox_is_made_private(tmp_path: Path) -> None:
    box = tmp_path / "bridge"
    (box / "requests").mkdir(parents=True)
    os.chmod(box, 0o777)
    os.chmod(box / "requests", 0o777)
    ensure_mailbox(box)
    assert _mode(box) == 0o700 and _mode(box / "requests") == 0o700


_NETWORK_OR_EXEC = re.compile(
    r"^\s*(import|from)\s+(urllib|http\.client|requests|ftplib|smtplib|pickle|marshal)\b"
    r"|\b(eval|exec)\(|os\.system\(|os\.popen\(|shell\s*=\s*True|create_connection\(",
)


def test_python_package_downloads_nothing_and_executes_nothing_from_input() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _NETWORK_OR_EXEC.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
    users = sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py") if "subprocess" in p.read_text())
    assert users == ["daw_bridge/ardour/process.py"], "only the headless Ardour launcher starts programs"


def test_lua_scripts_never_execute_or_load_code() -> None:
    pattern = re.compile(r"\bos\.execute\b|\bio\.popen\b|\bloadstring\b|\bdofile\b|(?<![\w.:])load\s*\(|\bloadfile\b")
    offenders = []
    for path in LUA:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("--", 1)[0]
            if pattern.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_ardour_scripts_only_list_folders_through_a_quoted_shell() -> None:
    """Ardour's Lua has no directory listing, so its hook runs ``ls`` via io.popen: every such call must single-quote
    the folder and first strip or refuse single quotes (no way out of the quoting), and only ``ls`` is run."""
    calls = []
    for path in ARDOUR_LUA:
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, 1):
            code = "" if line.lstrip().startswith("--") else line  # "ls -- dir" holds "--": no inline split
            allowed = (path.name, line.strip()) in ALLOWED_ARDOUR_LOADS
            if re.search(r"\bos\.execute\b|\bloadstring\b|(?<![\w.:])load\s*\(|\bloadfile\b", code) and not allowed:
                calls.append(f"{path.name}:{n}: forbidden: {line.strip()}")
            if "io.popen" in code:
                guarded = "gsub (\"'\", \"\")" in code or any(
                    "find (\"'\", 1, true)" in prev for prev in lines[max(0, n - 4) : n - 1]
                )
                if not (re.search(r"""io\.popen \("ls -1t?r?F? -- '" \.\. """, code) and guarded):
                    calls.append(f"{path.name}:{n}: unguarded: {line.strip()}")
            if re.search(r"\bdofile\s*\(", code) and not re.search(r'dofile\(here \.\. "[\w.]+"\)', code):
                calls.append(f"{path.name}:{n}: dofile of a computed path: {line.strip()}")
    assert calls == []
