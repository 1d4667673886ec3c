"""Start and stop a headless Ardour (``ardour7-lua`` running our bridge loop) with guaranteed cleanup.

Every Ardour process gets ``ARDOUR_FPU_FLAGS=95`` (7.3's AVX512 code corrupts the heap otherwise), its own
``XDG_CONFIG_HOME`` (holding the OSC port and our export presets), its own process group, and a free UDP port.
Ardour silently moves to the next port when its port is taken and binds 0.0.0.0, so :meth:`start` checks
which port the process really bound (from ``/proc``) before handing it out.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from pathlib import Path

from .. import shipped
from ..errors import DawError, DawUnreachable
from . import dsp_scripts, presets, session

#: The luasession binary of Debian's Ardour 7.
LUA_BINARY = "ardour7-lua"
#: Where our Lua scripts live (shipped in the package; see docs/ardour.md).
SCRIPTS_DIR = shipped.path(shipped.ARDOUR_SCRIPTS, must_exist=False)
ENV_FPU = {"ARDOUR_FPU_FLAGS": "95"}


class ArdourNotInstalled(DawError, FileNotFoundError):
    """``ardour7-lua`` is not on PATH."""


def lua_binary() -> str:
    """Path of ``ardour7-lua``; raise ArdourNotInstalled with the install command."""
    found = shutil.which(LUA_BINARY)
    if found is None:
        raise ArdourNotInstalled(
            f"{LUA_BINARY} not found: install Ardour 7 (apt-get install --no-install-recommends ardour)"
        )
    return found


def script(name: str) -> Path:
    """One of our Lua scripts; raise DawError naming the folder when it is missing."""
    path = SCRIPTS_DIR / name
    if not path.is_file():
        raise DawError(f"{path}: daw-bridge's Ardour script is missing (run from a source checkout)")
    return path


def free_udp_port() -> int:
    """A UDP port free on every interface right now (Ardour binds 0.0.0.0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def write_user_config(config_home: Path, *, osc_port: int, monitor_effects: bool = True) -> None:
    """Ardour's user config under ``config_home/ardour7``: OSC port, monitor section, our export presets and
    (unless ``monitor_effects`` is false) our monitoring effects (Lua DSP scripts,
    :mod:`daw_bridge.ardour.dsp_scripts`)."""
    root = config_home / "ardour7"
    root.mkdir(parents=True, exist_ok=True)
    (root / "config").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Ardour>\n  <Config>\n'
        f'    <Option name="osc-port" value="{int(osc_port)}"/>\n'
        '    <Option name="use-monitor-bus" value="1"/>\n'
        "  </Config>\n</Ardour>\n",
        encoding="utf-8",
    )
    presets.install(root / "export")
    if monitor_effects:
        dsp_scripts.install(root / "scripts")


def bound_udp_ports(pid: int) -> set[int]:
    """UDP ports bound by process ``pid`` (Linux ``/proc``); empty when unknown."""
    inodes: set[str] = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports: set[int] = set()
    for table in ("udp", "udp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


class ArdourProcess:
    """A headless Ardour serving one closed-on-exit session over OSC and the bridge mailbox.

    ``with ArdourProcess(session_dir, bridge_dir=...) as ardour: ardour.osc_port`` — on exit the bridge saves
    and closes the session; a process that does not stop in time is killed with its whole group.
    """

    def __init__(
        self,
        session_dir: Path,
        *,
        bridge_dir: Path,
        allowed_dirs: tuple[Path, ...] = (),
        snapshot: str | None = None,
        osc_port: int | None = None,
        log_path: Path | None = None,
        monitor_effects: bool = True,
    ) -> None:
        self.session_dir = Path(session_dir).resolve()
        self.snapshot = snapshot or self.session_dir.name
        self.bridge_dir = Path(bridge_dir).resolve()
        self.allowed_dirs = tuple(Path(d).resolve() for d in allowed_dirs)
        self.requested_port = osc_port
        self.osc_port = 0
        self.log_path = log_path
        #: Whether Ardour gets our monitoring effects (false: as an Ardour without our scripts installed).
        self.monitor_effects = monitor_effects
        self._proc: subprocess.Popen[bytes] | None = None
        self._config_home: Path | None = None
        self._finalizer: weakref.finalize | None = None

    def start(self, *, timeout_s: float = 30.0) -> ArdourProcess:
        """Launch Ardour and wait until OSC is bound and the bridge is polling; raise DawUnreachable."""
        binary = lua_binary()
        if "'" in str(self.bridge_dir):
            raise DawError(f"{self.bridge_dir}: the Ardour bridge cannot serve a mailbox path containing ' ")
        path = session.session_file(self.session_dir, self.snapshot)
        session.enable_osc(path)
        for sub in ("requests", "responses", "events"):
            (self.bridge_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.bridge_dir, 0o700)
        (self.bridge_dir / "ardour-stop").unlink(missing_ok=True)
        (self.bridge_dir / "bridge.json").unlink(missing_ok=True)
        port = self.requested_port or free_udp_port()
        self._config_home = Path(tempfile.mkdtemp(prefix="daw-bridge-ardour-cfg-"))
        write_user_config(self._config_home, osc_port=port, monitor_effects=self.monitor_effects)
        env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(self._config_home)}
        log = self.log_path or self._config_home / "ardour.log"
        args = [binary, str(script("daw_bridge_session.lua")), str(self.session_dir), self.snapshot,
                str(self.bridge_dir), str(port), *(str(d) for d in self.allowed_dirs)]
        with open(log, "wb") as out:
            self._proc = subprocess.Popen(
                args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=str(self._config_home),
            )
        self._finalizer = weakref.finalize(self, _cleanup, self._proc, self._config_home)
        try:
            self._wait_ready(port, log, timeout_s)
        except BaseException:
            self.stop(timeout_s=2.0)
            raise
        self.osc_port = port
        return self

    def _wait_ready(self, port: int, log: Path, timeout_s: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout_s
        beat = self.bridge_dir / "bridge.json"
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
                raise DawUnreachable(f"ardour7-lua exited with status {self._proc.returncode}:\n{tail}")
            ports = bound_udp_ports(self._proc.pid)
            if beat.exists() and ports:
                if port not in ports:
                    raise DawUnreachable(
                        f"Ardour bound UDP port(s) {sorted(ports)} instead of {port} (port taken?)"
                    )
                return
            time.sleep(0.05)
        raise DawUnreachable(f"headless Ardour did not come up within {timeout_s:.0f} s (log: {log})")

    def stop(self, *, timeout_s: float = 15.0) -> None:
        """Ask the bridge loop to save and close, then make sure the process group is gone. Idempotent."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                (self.bridge_dir / "ardour-stop").write_text("stop\n")
                proc.wait(timeout=timeout_s)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self._finalizer is not None:
            self._finalizer()

    @property
    def running(self) -> bool:
        """Whether the Ardour process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of ardour7-lua (None before start)."""
        return self._proc.pid if self._proc is not None else None

    def __enter__(self) -> ArdourProcess:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _cleanup(proc: subprocess.Popen[bytes], config_home: Path) -> None:
    _kill_group(proc)
    shutil.rmtree(config_home, ignore_errors=True)


__all__ = [
    "ArdourNotInstalled",
    "ArdourProcess",
    "bound_udp_ports",
    "free_udp_port",
    "lua_binary",
    "script",
    "write_user_config",
]
