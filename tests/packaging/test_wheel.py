"""The artifact, not the checkout: build the sdist and the wheel, install the wheel into a fresh venv outside the
repository, and run daw-bridge from there.

Built once per module (``python -m build --no-isolation``: the sdist, then the wheel from the sdist, so a file the
sdist forgets is missing from the wheel too), from a copy of the tree (setuptools writes ``*.egg-info`` next to
the sources). The venv gets only the wheel (``pip --python VENV install --no-deps --no-index``); its dependencies
(numpy, scipy, ...) come from this interpreter's site-packages through a ``.pth`` file, so the test needs no
network and no second copy of scipy. Those site-packages may hold an editable daw-bridge: its import hook is a
``.pth`` there that Python does not process (only a venv's own site-packages are), and every command checks that
``daw_bridge`` is imported from the venv. HOME and the XDG folders point into the temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import site
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import daw_bridge
from daw_bridge import shipped

ROOT = Path(__file__).resolve().parents[2]
_COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "demo-output",
)
#: Constants of daw_bridge.shipped that name a file or folder under daw_bridge/data.
SHIPPED_NAMES = ("PRESETS", "FACTS", "AUTOEQ_SOURCE", "AUTOEQ_LICENSE", "REAPER_SCRIPTS", "PATTERN_FILE",
                 "ARDOUR_SCRIPTS")  # fmt: skip


@dataclass
class Installed:
    """The built artifacts and a venv holding only the wheel."""

    sdist: Path
    wheel: Path
    venv: Path
    work: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``daw-bridge ARGS`` from the venv, in a folder outside the repository."""
        out = subprocess.run([str(self.venv / "bin" / "daw-bridge"), *args], cwd=self.work, env=self.env,
                             capture_output=True, text=True, timeout=timeout)  # fmt: skip
        assert "Traceback" not in out.stderr, out.stderr
        if check:
            assert out.returncode == 0, f"daw-bridge {' '.join(args)} -> {out.returncode}\n{out.stdout}\n{out.stderr}"
        return out

    def python(self, code: str, *args: str, timeout: float = 120.0) -> str:
        out = subprocess.run([str(self.venv / "bin" / "python"), "-c", code, *args], cwd=self.work, env=self.env,
                             capture_output=True, text=True, timeout=timeout)  # fmt: skip
        assert out.returncode == 0, out.stderr
        return out.stdout


def _run(args: list[str], **kw: object) -> None:
    out = subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload]
    assert out.returncode == 0, f"{' '.join(map(str, args))}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    pytest.importorskip("build", reason="python -m build is needed: pip install -e '.[dev]'")
    work = tmp_path_factory.mktemp("packaging")
    src, dist, venv = work / "src", work / "dist", work / "venv"
    shutil.copytree(ROOT, src, ignore=_COPY_IGNORE)
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)])
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", where], capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "_daw_bridge_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps",
          "--no-index", "--no-cache-dir", str(wheel)])  # fmt: skip
    home = work / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XDG_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")  # fmt: skip
    return Installed(sdist, wheel, venv, work, env)


def test_the_venv_imports_daw_bridge_from_the_wheel(installed: Installed) -> None:
    where = installed.python("import daw_bridge, daw_bridge.shipped as s; print(daw_bridge.__file__, s.data_root())")
    module, data = where.split()
    assert Path(module).is_relative_to(installed.venv), module
    assert Path(data).is_relative_to(installed.venv) and Path(data).is_dir(), data


def test_version(installed: Installed) -> None:
    from daw_bridge.analysis.version import ANALYSIS_VERSION

    out = installed.run("--version").stdout.strip()
    assert out == f"daw-bridge {daw_bridge.__version__} (analysis version {ANALYSIS_VERSION})"
    assert installed.wheel.name.startswith(f"daw_bridge-{daw_bridge.__version__}-")


def test_headphones_list_and_show(installed: Installed) -> None:
    shipped_models = sorted(p.stem for p in shipped.presets_dir().glob("*.toml"))
    assert len(shipped_models) >= 10
    listed = json.loads(installed.run("headphones", "list", "--json").stdout)
    assert sorted(p["name"] for p in listed) == shipped_models
    assert not any(p["user"] for p in listed)
    show = installed.run("headphones", "show", "Sennheiser HD 650").stdout
    assert show.startswith("Sennheiser HD 650") and "preamp" in show and "headphone facts:" in show


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def emulator(installed: Installed) -> Iterator[tuple[Path, subprocess.Popen[str], list[str]]]:
    """``daw-bridge emulate --demo`` from the venv on free loopback ports, with a config for ``status``."""
    listen, feedback = _free_udp_port(), _free_udp_port()
    cfg = installed.work / "emulate.toml"
    bridge, bounces = installed.work / "bridge", installed.work / "bounces"
    cfg.write_text(f'[reaper]\nsend_port = {listen}\nreceive_port = {feedback}\ntimeout_s = 5.0\n\n[paths]\n'
                   f'bridge_dir = "{bridge}"\nbounce_dir = "{bounces}"\n')  # fmt: skip
    proc = subprocess.Popen(
        [str(installed.venv / "bin" / "daw-bridge"), "--config", str(cfg), "emulate", "--demo",
         "--demo-dir", str(installed.work / "demo"), "--listen-port", str(listen), "--send-port", str(feedback)],
        cwd=installed.work, env=installed.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("project:"):  # the last line it prints before serving
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(90.0), f"emulator did not start: {''.join(lines)}"
        yield cfg, proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_emulate_demo_and_status(installed: Installed, emulator: tuple[Path, subprocess.Popen[str], list[str]]) -> None:
    cfg, proc, lines = emulator
    assert any(f"pattern file: {installed.venv}" in line for line in lines), "".join(lines)
    status = json.loads(installed.run("--config", str(cfg), "status", "--json", timeout=60).stdout)
    names = [t["name"] for t in status["tracks"]]
    assert "MIX" in names and any(n.startswith("REF") for n in names), names
    proc.send_signal(signal.SIGINT)
    proc.wait(20)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 0 and "stopped." in err and "Traceback" not in err, err


def test_analyze_a_generated_file(installed: Installed) -> None:
    rate = 48000
    t = np.arange(3 * rate) / rate
    tone = 0.25 * np.sin(2 * np.pi * 997.0 * t)
    wav = installed.work / "tone.wav"
    sf.write(wav, np.stack([tone, tone], axis=1), rate, subtype="PCM_24")
    result = json.loads(installed.run("analyze", str(wav), "--json", "--no-cache").stdout)
    lufs = result["mix"]["loudness"]["integrated_lufs"]
    # BS.1770: a full-scale 997 Hz sine in one channel reads -3.01 LUFS; in both channels at 0.25: 20·log10(0.25)
    assert lufs == pytest.approx(20.0 * np.log10(0.25), abs=0.1), lufs


def test_reaper_install_and_uninstall(installed: Installed) -> None:
    resource = installed.work / "REAPER"
    resource.mkdir()  # REAPER makes it on first start
    report = json.loads(installed.run("reaper", "install", "--resource-path", str(resource), "--json").stdout)
    written = [Path(p) for p in report["written"]]
    names = {p.name for p in written}
    assert {"daw-bridge_Bridge.lua", "daw-bridge.ReaperOSC", "daw-bridge_correction.jsfx"} <= names, names
    shipped_scripts = {p.name for p in shipped.reaper_scripts_dir().rglob("*") if p.is_file()}
    assert shipped_scripts <= names | {"daw-bridge.config.json"}, shipped_scripts - names
    assert all(p.is_file() and p.is_relative_to(resource) for p in written)
    installed.run("reaper", "uninstall", "--resource-path", str(resource))
    assert not [p for p in written if p.exists()]


@pytest.mark.skipif(shutil.which("ardour7-lua") is None, reason="ardour7-lua not installed (apt-get install ardour)")
def test_ardour_headless_start(installed: Installed) -> None:
    """The installed package finds its Ardour scripts: build a session, start headless Ardour on it, stop it."""
    code = """
import os, subprocess, sys
from pathlib import Path
from daw_bridge.ardour.process import ENV_FPU, ArdourProcess, script
root = Path(sys.argv[1])
env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(root / "xdg")}
subprocess.run(["ardour7-lua", str(script("build_session.lua")), str(root / "s"), "s", "48000", "MIX:2"],
               env=env, check=True, capture_output=True, timeout=90)
with ArdourProcess(root / "s", bridge_dir=root / "bridge") as ardour:
    print(ardour.osc_port, script("daw_bridge_session.lua"))
"""
    root = installed.work / "ardour"
    root.mkdir()
    port, session_script = installed.python(code, str(root), timeout=180).split()
    assert int(port) > 0 and Path(session_script).is_relative_to(installed.venv)
    assert (root / "bridge" / "bridge.json").exists()


def test_wheel_holds_every_file_the_code_opens(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        files = set(whl.namelist())
    dirs = {str(Path(f).parent.as_posix()) for f in files} | {p.as_posix() for f in files for p in Path(f).parents}
    for name in SHIPPED_NAMES:
        rel = f"daw_bridge/data/{getattr(shipped, name)}"
        assert rel in files or rel in dirs, f"shipped.{name} ({rel}) is not in {installed.wheel.name}"
    data = ROOT / "daw_bridge" / "data"
    on_disk = {f"daw_bridge/{p.relative_to(ROOT / 'daw_bridge').as_posix()}" for p in data.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}  # fmt: skip
    assert on_disk - files == set(), f"files under daw_bridge/data missing from the wheel: {sorted(on_disk - files)}"
    package = ROOT / "daw_bridge"
    modules = {f"daw_bridge/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")
               if p.relative_to(package).parts[0] != "data"}  # fmt: skip
    assert modules - files == set(), sorted(modules - files)
    assert "daw_bridge/py.typed" in files
    # scripts the Ardour backend opens by name (script("...")) ship with it
    for source in (ROOT / "daw_bridge" / "ardour").glob("*.py"):
        for name in re.findall(r"\bscript\(\"([^\"]+)\"\)", source.read_text(encoding="utf-8")):
            assert f"daw_bridge/data/{shipped.ARDOUR_SCRIPTS}/{name}" in files, f"{source.name}: {name}"
    assert not any(f.startswith(("tests/", "tools/", "benchmarks/")) for f in files)


def test_sdist_carries_tests_tools_and_docs(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        names = {n.removeprefix(f"{top}/") for n in tar.getnames()}
    for needed in ("pyproject.toml", "README.md", "MANIFEST.in", "Makefile", "index.xml", "tools/build_index.py",
                   "tests/packaging/test_wheel.py", "tests/conftest.py", "docs/cli.md", "docs/install.md",
                   "benchmarks/bench_startup.py", f"daw_bridge/data/{shipped.PATTERN_FILE}"):  # fmt: skip
        assert needed in names, f"{needed} is missing from {installed.sdist.name}"
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_interrupt_prints_interrupted_and_exits_130(installed: Installed) -> None:
    """Ctrl-C during a long command (here 'status' waiting up to 60 s for a REAPER that is not there): at once
    'Interrupted.', status 130, no traceback."""
    cfg = installed.work / "nobody.toml"
    cfg.write_text(f"[reaper]\nsend_port = {_free_udp_port()}\nreceive_port = {_free_udp_port()}\ntimeout_s = 60.0\n")
    proc = subprocess.Popen([str(installed.venv / "bin" / "daw-bridge"), "--config", str(cfg), "status"],
                            cwd=installed.work, env=installed.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    time.sleep(1.5)
    assert proc.poll() is None, proc.communicate()
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip() == "Interrupted.", err
    assert time.monotonic() - start < 10.0


def test_interrupt_at_any_moment_never_prints_a_traceback(installed: Installed) -> None:
    """SIGINT from the first milliseconds to the end of a short command. Once daw-bridge's code runs: the command
    finished (0), or it says 'Interrupted.' and exits 130 (or, for the few milliseconds between its entry module
    and its main function, says 'Interrupted.' and Python ends it by SIGINT). Before that (the interpreter's own
    start-up, ~20-50 ms here) it is Python's: such a traceback may hold no frame of daw-bridge or click."""
    seen = set()
    for delay_s in (0.0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.7):
        proc = subprocess.Popen([str(installed.venv / "bin" / "daw-bridge"), "headphones", "list"],
                                cwd=installed.work, env=installed.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)  # fmt: skip
        time.sleep(delay_s)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        if "Traceback" in err:  # only in Python's own start-up, before any daw-bridge or click code ran
            assert not re.search(r'File "[^"]*/(daw_bridge|click)/', err), (delay_s, err)
            continue
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay_s, proc.returncode, err)
        if proc.returncode != 0 and err.strip():  # (empty: killed before Python had installed its handler)
            assert err.strip().endswith("Interrupted."), (delay_s, err)
        seen.add(proc.returncode)
    assert 130 in seen, seen  # at least one landed while the command ran
