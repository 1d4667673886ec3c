"""Form -> event -> stored note -> marker, across the languages: the real "Journal note at playhead" script runs under
lua5.4 against the stand-in reaper table (with the checklist step the Python controller showed in the project),
writes its event into a mailbox, and the Python controller stores the note it describes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from daw_bridge.journal.events import STEP_STATE_KEY, JournalEvents
from daw_bridge.journal.store import Journal
from daw_bridge.monitoring import MonitoringState, save_state
from daw_bridge.reaper.bridge import EventWatcher
from daw_bridge.workflows.ab import ABLoop
from daw_bridge.workflows.controller import Controller
from daw_bridge.workflows.embedded import EmbeddedSession

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
local root, resource, step = arg[1], arg[2], io.read("a")
package.path = root .. "/daw_bridge/data/reaper/daw-bridge/?.lua;" .. root .. "/tests/lua/?.lua;" .. package.path
local json = require("lib.json")
local mock = require("mock_reaper").new({ resource_path = resource })
mock.proj_ext.daw_bridge = { journal_step = step }
mock.play_state = 1; mock.play_position_s = 95.5
mock.user_inputs = { { "", "more", "3", "sub swells, kick lost" } }
local script = root .. "/daw_bridge/data/reaper/daw-bridge/daw-bridge_Journal note at playhead.lua"
mock.script.filename = script
_G.reaper = mock.api
dofile(script)
io.write(json.encode({ markers = mock.markers, messages = mock.messages, form = mock.forms[1] }))
"""


def test_note_form_to_stored_note_and_marker(session: EmbeddedSession, tmp_path: Path) -> None:
    if shutil.which("lua5.4") is None:
        pytest.skip("lua5.4 not installed (apt-get install lua5.4 lua-busted)")
    bridge_dir = session.config.bridge_dir
    resource = tmp_path / "resource"
    (resource / "Scripts" / "daw-bridge").mkdir(parents=True)
    (resource / "Scripts" / "daw-bridge" / "daw-bridge.config.json").write_text(json.dumps(
        {"protocol": 1, "bridge_dir": str(bridge_dir), "bounce_dir": str(tmp_path / "bounces")}))
    save_state(MonitoringState(headphones="Sennheiser HD 650"), tmp_path / "state")
    ABLoop(session.daw, session.config).select("REF 2")
    said: list[str] = []
    controller = Controller(session.daw, session.config, say=said.append,
                            journal=JournalEvents(session.daw, tmp_path / "j.sqlite", base=tmp_path / "state"))
    for _ in range(8):  # on to the sub band step: the controller solos it and shows it in the project
        controller.handle({"event": "journal_step"})
    step = session.daw.get_project_state(STEP_STATE_KEY)
    assert step is not None and json.loads(step)["band"] == "sub"

    script = tmp_path / "note.lua"
    script.write_text(SCRIPT)
    proc = subprocess.run(["lua5.4", str(script), str(ROOT), str(resource)], input=step, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    lua = json.loads(proc.stdout)
    assert lua["form"]["defaults"].startswith("bass\n"), "the form pre-fills the step's aspect"
    [marker] = lua["markers"]
    assert marker["name"] == "[daw-bridge journal] sub band more (3): sub swells, kick lost"
    assert marker["pos"] == 95.5

    delivered = EventWatcher(bridge_dir, controller.handle).poll_once()
    assert delivered == 1 and said[-1].startswith("[journal_note] note stored:")
    with Journal(tmp_path / "j.sqlite") as j:
        [note] = j.notes()
        assert (note.title, note.model, note.aspect, note.band, note.direction, note.strength, note.position_s,
                note.text) == ("REF 2", "Sennheiser HD 650", "bass", "sub", 1, 3, marker["pos"],
                               "sub swells, kick lost")
        assert j.steps(note.session_id)["band:sub"] == "answered"
