"""``daw-bridge emulate``: option errors, and a real run answering OSC on loopback until stopped."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

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
