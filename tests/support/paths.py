"""Reference files the tests read, kept in the repository so a clean clone tests the same as a workstation."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: REAPER's own Default.ReaperOSC, verbatim (a copy of shared/reference/reaper/Default.ReaperOSC).
REAPER_DEFAULT_OSC = REPO / "tests" / "fixtures" / "reaper" / "Default.ReaperOSC"
#: The AutoEq ParametricEQ.txt files the shipped presets are built from (MIT; notice in SOURCES.md there).
AUTOEQ_DIR = REPO / "daw_bridge" / "data" / "presets" / "autoeq-source"
