"""The bridge as an editor hook inside Ardour's GUI (``/usr/bin/ardour`` under Xvfb), not the headless loop.

The hook is installed as docs/ardour.md tells a user: the script copied to ``$XDG_CONFIG_HOME/ardour7/scripts/``
and registered as an action hook. The registration is what *Script Manager > Action Hooks > Add* stores in
``ardour7/ui_scripts`` (built by ``daw_bridge/data/ardour/daw-bridge/hook_state.lua`` with Ardour's own Lua), since
nobody clicks here. Everything started (Xvfb, Ardour and its helpers) runs in its own process group and is
killed in a ``finally``; the whole test is bounded by the start-up deadline plus the per-request timeouts.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

from daw_bridge.ardour import presets, session
from daw_bridge.ardour.process import ENV_FPU, _kill_group, bound_udp_ports, free_udp_port, script
from daw_bridge.reaper.bridge import BridgeClient
from daw_bridge.units import gain_to_db

from .conftest import RATE, TRACKS, requires_ardour
from .test_ardour_e2e import tone_db

GUI_BINARY = "/usr/bin/ardour"
HOOK_NAME = "daw-bridge bridge"
#: ``LuaSignal.LuaTimerDS`` is bit 47 of Ardour 7.3's 49 hook signals (gtk2_ardour/luasignal_syms.h; the same
#: order as the signal names in the 7.3 binary). Ardour stores the set as ``std::bitset::to_string()``.
TIMER_DS_SIGNALS = "0" + "1" + "0" * 47
START_TIMEOUT_S = 35.0

pytestmark = [
    pytest.mark.ardour,
    requires_ardour,
    pytest.mark.skipif(shutil.which("Xvfb") is None,
                       reason="Xvfb not installed (apt-get install --no-install-recommends xvfb): GUI test skipped"),
    pytest.mark.skipif(not os.access(GUI_BINARY, os.X_OK),
                       reason=f"{GUI_BINARY} (Ardour's GUI) not installed: GUI test skipped"),
]


def write_gui_config(root: Path, *, osc_port: int) -> None:
    """An Ardour user config that starts the Dummy engine without dialogs (``root`` is ``.../ardour7``)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".a7").write_text("")  # first-run wizard done
    (root / "config").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Ardour>\n  <Config>\n'
        f'    <Option name="osc-port" value="{osc_port}"/>\n'
        '    <Option name="use-monitor-bus" value="1"/>\n'
        '    <Option name="try-autostart-engine" value="1"/>\n'
        '    <Option name="hide-dummy-backend" value="0"/>\n'  # release builds hide the Dummy backend
        '  </Config>\n  <Extra>\n    <AudioMIDISetup>\n      <EngineStates>\n'
        f'        <State backend="None (Dummy)" driver="" device="Silence" input-device="" output-device="" '
        f'sample-rate="{RATE}" buffer-size="1024" n-periods="2" input-latency="0" output-latency="0" '
        'input-channels="0" output-channels="0" active="1" use-buffered-io="0" midi-option="" '
        f'lru="{int(time.time())}">\n          <MIDIDevices/>\n        </State>\n'
        '      </EngineStates>\n    </AudioMIDISetup>\n  </Extra>\n</Ardour>\n'
    )
    # "name new markers" on proves the hook never opens that (modal) dialog from its timer.
    (root / "ui_config").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Ardour>\n  <UI>\n'
        '    <Option name="name-new-markers" value="1"/>\n'
        '  </UI>\n</Ardour>\n'
    )
    presets.install(root / "export")


def install_hook(root: Path, env: dict[str, str]) -> Path:
    """Copy the hook into ``root/scripts`` and register it as Script Manager > Action Hooks > Add does."""
    scripts = root / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    hook = scripts / "daw_bridge_hook.lua"
    shutil.copyfile(script("daw_bridge_hook.lua"), hook)
    state = root / "hook-state.lua"
    subprocess.run(["ardour7-lua", str(script("hook_state.lua")), str(hook), str(state), HOOK_NAME],
                   env=env, check=True, capture_output=True, timeout=30)
    encoded = base64.b64encode(state.read_bytes()).decode("ascii")
    state.unlink()
    (root / "ui_scripts").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<UIScripts>\n  <ActionHooks>\n'
        f'    <LuaCallback lua="Lua 5.3" id="9100001" name="{HOOK_NAME}" signals="{TIMER_DS_SIGNALS}">'
        f"{encoded}</LuaCallback>\n  </ActionHooks>\n</UIScripts>\n"
    )
    return hook


def start_xvfb(log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Xvfb on a display it picks itself (``-displayfd``): (process, display number)."""
    read_fd, write_fd = os.pipe()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, pass_fds=(write_fd,),
            start_new_session=True,
        )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            line = pipe.readline()  # written once the server accepts clients; EOF if Xvfb dies
    except BaseException:
        _kill_group(proc)
        raise
    if not line.strip().isdigit():
        _kill_group(proc)
        raise RuntimeError(f"Xvfb did not start: {log.read_text(errors='replace')[-800:]}")
    return proc, int(line)


def wait_ready(proc: subprocess.Popen[bytes], bridge_dir: Path, port: int, log: Path) -> None:
    """Until the hook's heartbeat exists and OSC is bound; fail with the log tail otherwise."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ardour exited with {proc.returncode}: {log.read_text(errors='replace')[-1500:]}")
        if (bridge_dir / "bridge.json").exists() and port in bound_udp_ports(proc.pid):
            return
        time.sleep(0.1)
    pytest.fail(f"the GUI hook did not start within {START_TIMEOUT_S:.0f} s: {log.read_text(errors='replace')[-1500:]}")


@pytest.fixture
def gui(ardour_template: tuple[Path, dict[str, Path]], tmp_path: Path) -> Iterator[tuple[BridgeClient, Path, Path]]:
    """Ardour's GUI under Xvfb serving a copy of the test session: (bridge client, session dir, bounce dir)."""
    template, _ = ardour_template
    session_dir = tmp_path / "tpl"
    shutil.copytree(template, session_dir)
    session.enable_osc(session.session_file(session_dir))
    bridge_dir, bounce_dir = tmp_path / "bridge", tmp_path / "bounces"
    for folder in (bridge_dir / "requests", bridge_dir / "responses", bridge_dir / "events", bounce_dir):
        folder.mkdir(parents=True)
    port = free_udp_port()
    env = {**os.environ, **ENV_FPU, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "DAW_BRIDGE_DIR": str(bridge_dir), "DAW_BRIDGE_BOUNCE_DIR": str(bounce_dir)}
    config = tmp_path / "config" / "ardour7"
    write_gui_config(config, osc_port=port)
    install_hook(config, env)
    started: list[subprocess.Popen[bytes]] = []
    try:
        xvfb, display = start_xvfb(tmp_path / "xvfb.log")
        started.append(xvfb)
        log = tmp_path / "ardour.log"
        with open(log, "wb") as out:
            ardour = subprocess.Popen(
                [GUI_BINARY, "-n", "-a", str(session_dir)], env={**env, "DISPLAY": f":{display}"},
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                cwd=str(tmp_path),
            )
        started.append(ardour)
        wait_ready(ardour, bridge_dir, port, log)
        client = BridgeClient(bridge_dir, lambda: None, timeout_s=10.0, allowed_roots=(bounce_dir,))
        yield client, session_dir, bounce_dir
    finally:
        for proc in reversed(started):
            _kill_group(proc)
    assert all(proc.poll() is not None for proc in started)


def test_the_gui_hook_serves_ping_markers_and_render(gui: tuple[BridgeClient, Path, Path]) -> None:
    client, session_dir, bounce_dir = gui

    pong = client.request("ping")
    assert pong["protocol"] == 1
    assert pong["host"].startswith("Ardour 7") and "headless" not in pong["host"]

    done = client.request("replace_markers", {"markers": [
        {"time_s": 0.5, "name": "verse", "color": "#FF0000"},
        {"time_s": 1.0, "end_s": 2.5, "name": "chorus"},
    ]})
    assert done == {"deleted": 0, "added": 2}
    state = client.request("get_state", {"keys": ["markers", "sample_rate", "length_s", "project_path"]})
    assert state["sample_rate"] == RATE
    assert state["length_s"] == pytest.approx(4.0, abs=1e-3)
    assert state["project_path"] == str(session_dir / "tpl.ardour")
    assert [(m["name"], m["time_s"], m["end_s"], m["color"]) for m in state["markers"]] == [
        ("[daw-bridge] verse", 0.5, None, "#ff0000"),
        ("[daw-bridge] chorus", 1.0, 2.5, None),
    ]
    again = client.request("replace_markers", {"markers": [{"time_s": 3.0, "name": "outro"}]})
    assert again == {"deleted": 2, "added": 1}

    result = client.request("render", {"directory": str(bounce_dir), "file_name": "gui.wav", "bit_depth": 24})
    target = bounce_dir / "gui.wav"
    assert result["files"] == [str(target)]
    assert result["duration_s"] == pytest.approx(4.0, abs=1e-3)
    info = sf.info(target)
    assert (info.samplerate, info.channels, info.subtype) == (RATE, 2, "PCM_24")
    assert info.frames == 4 * RATE
    audio, _ = sf.read(target, always_2d=True)
    for freq, amplitude in TRACKS.values():  # every track at 0 dB: each sine at its source level, both sides
        for channel in (0, 1):
            assert tone_db(audio, freq, channel) == pytest.approx(gain_to_db(amplitude), abs=0.1)
