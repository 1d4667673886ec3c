"""Know your headphone: facts with sources, amplifier drive check, role guidance and listening level."""

from __future__ import annotations

from .amps import AmpPreset, custom_amp, get_amp, load_amp_presets
from .drive import DriveCheck, check_drive
from .facts import HeadphoneFacts, Sensitivity, format_facts, get_facts, load_headphone_facts

__all__ = [
    "AmpPreset",
    "DriveCheck",
    "HeadphoneFacts",
    "Sensitivity",
    "check_drive",
    "custom_amp",
    "format_facts",
    "get_amp",
    "get_facts",
    "load_amp_presets",
    "load_headphone_facts",
]
