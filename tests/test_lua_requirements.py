"""The Lua tests say what is missing and which Debian package brings it, instead of failing."""

from __future__ import annotations

import shutil

import pytest

from tests.support import lua


def test_a_missing_busted_or_lfs_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(lua.shutil, "which", lambda name: None if name == "busted" else real_which(name) or name)
    monkeypatch.setattr(lua, "_has_lfs", lambda _lua: False)
    reason = lua.missing_for_lua(busted=True)
    assert reason is not None
    assert "busted, lfs not installed" in reason and "apt-get install lua-busted lua-filesystem" in reason


def test_nothing_missing_means_no_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lua.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(lua, "_has_lfs", lambda _lua: True)
    assert lua.missing_for_lua(busted=True) is None
    monkeypatch.setattr(lua.shutil, "which", lambda name: None)
    assert lua.missing_for_lua() == "Lua tests skipped: lua5.4 not installed (Debian: apt-get install lua5.4)"
