"""An embedded emulator session (demo project) connected through the real client, for workflow tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from daw_bridge.workflows.embedded import EmbeddedSession, embedded_reaper


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo session's audio, built once per module (the sessions below copy nothing, they only read it)."""
    from daw_bridge.emulator.demo import build_demo_project

    folder = tmp_path_factory.mktemp("demo")
    build_demo_project(folder / "session")
    return folder


@pytest.fixture()
def session(tmp_path: Path, demo_folder: Path) -> Iterator[EmbeddedSession]:
    """A fresh in-process emulator on the demo project (no sockets: fast)."""
    from daw_bridge.emulator.project_file import load_project

    project = load_project(demo_folder / "session" / "demo.toml")
    with embedded_reaper(tmp_path, project=project, in_process=True) as s:
        yield s


@pytest.fixture()
def udp_session(tmp_path: Path, demo_folder: Path) -> Iterator[EmbeddedSession]:
    """The same over real UDP on loopback, as against REAPER."""
    from daw_bridge.emulator.project_file import load_project

    project = load_project(demo_folder / "session" / "demo.toml")
    with embedded_reaper(tmp_path, project=project) as s:
        yield s
