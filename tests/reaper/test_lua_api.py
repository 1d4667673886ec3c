"""Every ``reaper.X`` our Lua calls, and every function the Lua stand-in (tests/lua/mock_reaper.lua) defines, is a
real REAPER 7.78 API function taking that many arguments from Lua.

The reference is the public SDK header's signature list (``tests/fixtures/reaper/reaper_api_7.78.tsv``: names and
parameter lists of reaper-sdk's ``reaper_plugin_functions.h``, source and commit in its header; or
``$DAW_BRIDGE_REAPER_API``). ReaScript's Lua binding drops some C parameters: names ending in ``Out`` /
``OutOptional`` become return values and the ``_sz`` size after a buffer disappears (a number's ``Out`` pointer may
also be passed in: ``GetSet_LoopTimeRange2(proj, isSet, isLoop, start, end, allowautoseek)``); ``...Optional``
parameters may be left off. A few functions exist only in Lua (``defer``, ``atexit``, ``runloop``,
``get_action_context``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from daw_bridge import shipped

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = ROOT / "tests" / "lua" / "mock_reaper.lua"
#: ReaScript functions that exist only in the Lua binding (REAPER's ReaScript documentation), not in the C header.
LUA_ONLY: dict[str, tuple[int, int]] = {"defer": (1, 1), "atexit": (1, 1), "runloop": (1, 1),
                                        "get_action_context": (0, 0)}


def api_file() -> Path:
    env = os.environ.get("DAW_BRIDGE_REAPER_API")
    candidates = [Path(env)] if env else []
    candidates += [ROOT / "tests/fixtures/reaper/reaper_api_7.78.tsv"]
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip("REAPER API list reaper_api_7.78.tsv not found (set DAW_BRIDGE_REAPER_API)")


@dataclass(frozen=True)
class Signature:
    name: str
    min_args: int
    max_args: int


def lua_arity(params: str) -> tuple[int, int]:
    """(min, max) Lua argument counts of a C parameter list as ReaScript binds it."""
    lo = hi = 0
    for param in (p.strip() for p in params.split(",") if p.strip()):
        name = re.split(r"[\s*&]+", param)[-1]
        ctype = param[: -len(name)].replace(" ", "")
        if name.endswith("_sz"):
            continue
        if re.search(r"Out(Optional)?(NeedBig)?$", name):
            if ctype in ("double*", "int*", "bool*", "float*"):
                hi += 1  # a number's pointer may also be passed in (GetSet_LoopTimeRange2's start/end)
            continue
        hi += 1
        if not name.endswith("Optional"):
            lo += 1
    return lo, hi


def load_api() -> dict[str, Signature]:
    out = {name: Signature(name, *arity) for name, arity in LUA_ONLY.items()}
    for line in api_file().read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        out[fields[0]] = Signature(fields[0], *lua_arity(fields[2] if len(fields) > 2 else ""))
    return out


def strip_lua(text: str) -> str:
    """Lua source with comments removed and string contents blanked (quotes kept), so calls can be counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("--[[", i) or text.startswith("--[=[", i):
            end = text.find("]]" if text[i + 2:i + 4] == "[[" else "]=]", i)
            i = n if end < 0 else end + 3
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(quote + quote)
            i = j + 1
        elif text.startswith("[[", i):
            end = text.find("]]", i)
            out.append('""')
            i = n if end < 0 else end + 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def call_arg_count(text: str, open_at: int) -> int:
    """Top-level arguments of the call whose '(' is at ``open_at``."""
    depth, count, seen = 0, 0, False
    for ch in text[open_at:]:
        if ch in "([{":
            depth += 1
            if depth == 1:
                continue
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return count + (1 if seen else 0)
        if depth == 1 and ch == ",":
            count += 1
        elif depth >= 1 and not ch.isspace():
            seen = True
    raise AssertionError("unbalanced call")


def our_calls() -> list[tuple[str, str, int]]:
    """(file, function, argument count) of every ``reaper.X(...)`` in the shipped REAPER Lua."""
    calls = []
    for path in sorted(shipped.reaper_scripts_dir().rglob("*.lua")):
        text = strip_lua(path.read_text(encoding="utf-8"))
        for m in re.finditer(r"\breaper\.([A-Za-z_][A-Za-z0-9_]*)\s*\(", text):
            calls.append((path.name, m.group(1), call_arg_count(text, m.end() - 1)))
    return calls


def stand_in_functions() -> list[tuple[str, int, bool]]:
    """(name, declared parameter count, variadic) of every ``function impl.X(...)`` in the stand-in."""
    text = strip_lua(STAND_IN.read_text(encoding="utf-8"))
    out = []
    for m in re.finditer(r"function\s+impl\.([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)", text):
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        out.append((m.group(1), len([p for p in params if p != "..."]), "..." in params))
    return out


def test_every_reaper_call_in_our_lua_exists_with_a_valid_argument_count() -> None:
    api = load_api()
    calls = our_calls()
    assert len(calls) > 80
    bad = [f"{f}: reaper.{name} with {n} argument(s)" + (
        "" if name not in api else f" (REAPER takes {api[name].min_args}-{api[name].max_args})")
        for f, name, n in calls
        if name not in api or not api[name].min_args <= n <= api[name].max_args]
    assert not bad, "\n".join(bad)


def test_every_stand_in_function_is_real_reaper_api_with_a_compatible_argument_count() -> None:
    api = load_api()
    defined = stand_in_functions()
    assert len(defined) > 40
    bad = []
    for name, n, variadic in defined:
        if name not in api:
            bad.append(f"stand-in defines reaper.{name}, which REAPER 7.78 does not have")
        elif not variadic and not api[name].min_args <= n <= api[name].max_args:
            bad.append(f"stand-in reaper.{name} takes {n} parameter(s); REAPER: {api[name].min_args}-"
                       f"{api[name].max_args}")
    assert not bad, "\n".join(bad)


def test_the_arity_rules_follow_reascript() -> None:
    assert lua_arity("ReaProject* proj, int idx, char* bufOut, int bufOut_sz") == (2, 2)
    assert lua_arity("ReaProject* project, const char* desc, char* valuestrNeedBig, bool is_set") == (4, 4)
    assert lua_arity("MediaTrack* track, int fx, const char* nameInOptional") == (2, 3)
    assert lua_arity("ReaProject* proj, const char* extname, const char* key, char* valOutNeedBig, "
                     "int valOutNeedBig_sz") == (3, 3)
    assert lua_arity("ReaProject* proj, bool isSet, bool isLoop, double* startOut, double* endOut, "
                     "bool allowautoseek") == (4, 6)
    assert lua_arity("") == (0, 0)
    assert call_arg_count(strip_lua('f(a, g(b, c), {d, e}, "x, y") -- (z,'), 1) == 4
    assert call_arg_count("f()", 1) == 0
