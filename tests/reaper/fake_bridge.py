"""A fake in-DAW bridge for unit tests: run on trigger in its own thread, answer every pending request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from daw_bridge.reaper.bridge import write_json_atomic

Op = Callable[[dict[str, Any]], dict[str, Any]]


class OpFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class FakeBridge:
    """``trigger()`` starts a thread that answers ``requests/*.json`` with ``ops[op](args)``."""

    def __init__(self, bridge_dir: Path, ops: dict[str, Op]) -> None:
        self.dir = Path(bridge_dir)
        self.ops = ops
        self.seen: list[dict[str, Any]] = []
        self.threads: list[threading.Thread] = []

    def trigger(self) -> None:
        thread = threading.Thread(target=self.run_once, daemon=True)
        self.threads.append(thread)
        thread.start()

    def run_once(self) -> None:
        for path in sorted((self.dir / "requests").glob("*.json")):
            request = json.loads(path.read_text())
            self.seen.append(request)
            response: dict[str, Any] = {"protocol": 1, "id": request["id"]}
            try:
                op = self.ops[request["op"]]
                response.update(ok=True, result=op(request["args"]))
            except OpFailed as exc:
                response.update(ok=False, error={"code": exc.code, "message": str(exc)})
            except KeyError:
                response.update(ok=False, error={"code": "unknown_op", "message": request["op"]})
            write_json_atomic(self.dir / "responses" / path.name, response)
            path.unlink()
