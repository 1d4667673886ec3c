"""``daw-bridge emulate``: option errors, and a real run answering OSC on loopback until stopped."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from daw_bridge.cli import cli
from daw_bridge.osc.codec import decode_packet

from .util import osc


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\nbridge_dir = "{tmp_path / "bridge"}"\nbounce_dir = "{tmp_path / "bounces"}"\n')
    return path


def test_project_and_demo_are_exclusive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "emulate", "--demo", "--project", "x.toml"])
    assert result.exit_code != 0 and "--project or --demo" in result.output


def test_bad_project_file_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("[[tracks]]\nvolume_db = 1\n")
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "emulate", "--project", str(bad)])
    assert result.exit_code == 1 and "ConfigError" in result.output and str(bad) in result.output
    assert "Traceback" not in result.output


def test_runs_and_answers_on_loopback(tmp_path: Path) -> None:
    project = tmp_path / "p.toml"
    project.write_text('[[tracks]]\nname = "Lead"\n')
    dev = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dev.bind(("127.0.0.1", 0))
    dev.settimeout(10.0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "daw_bridge", "--config", str(config(tmp_path)), "emulate", "--project",
         str(project), "--listen-port", "0", "--send-port", str(dev.getsockname()[1])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert match, line
        seen: dict[str, tuple[object, ...]] = {}
        dev.sendto(osc("/action", 41743), ("127.0.0.1", int(match.group(1))))
        while seen.get("/track/1/name") != ("Lead",):
            data, _ = dev.recvfrom(65535)
            seen.update({m.address: m.args for m in decode_packet(data)})
        assert (tmp_path / "bridge").is_dir()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        dev.close()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_a_taken_port_is_a_clean_error(tmp_path: Path) -> None:
    """A second emulator (or REAPER) on the port: a clear error, not two servers sharing it (no SO_REUSEADDR)."""
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "emulate", "--listen-port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Choose another --listen-port" in result.output and "Traceback" not in result.output


def test_demo_without_demo_dir_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's temporary folder goes away when the command ends, here on an error exit (port taken)."""
    import tempfile

    from daw_bridge.emulator import demo
    from daw_bridge.emulator.project import Project

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    built: list[Path] = []

    def fake_demo(folder: Path) -> Project:  # the real one takes ~2 s of CPU; the folder handling is what counts
        (folder / "audio.wav").write_bytes(b"\0" * 1024)
        built.append(folder)
        return Project()

    monkeypatch.setattr(demo, "build_demo_project", fake_demo)
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "emulate", "--demo", "--listen-port",
                                          str(taken.getsockname()[1])])
    finally:
        taken.close()
    assert result.exit_code == 1 and built and built[0].parent == scratch
    assert list(scratch.iterdir()) == []


def test_sigterm_ends_a_run_cleanly(tmp_path: Path) -> None:
    """SIGTERM unwinds like Ctrl-C (exit 0, "stopped."), so the demo folder's clean-up (tested above) runs too."""
    project = tmp_path / "p.toml"
    project.write_text('[[tracks]]\nname = "Lead"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "daw_bridge", "--config", str(config(tmp_path)), "emulate", "--project",
         str(project), "--listen-port", "0", "--send-port", "9"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert "listening on" in proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "stopped." in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
