"""Seeded generators of hostile OSC datagrams, built byte by byte (independent of the codec under test).

Every generator takes a :class:`random.Random` so a run is reproducible from its seed. Each datagram carries its
*class*: ``malformed`` (must not decode: the dispatcher counts it in ``stats.malformed`` and nothing changes) or
``typed`` (decodes, but carries wrong types, odd values or odd addresses: handlers must cope).
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

#: A few REAPER-shaped feedback addresses (our pattern file, 64-track bank) used as seeds for mutation.
REAPER_ADDRESSES = (
    "/track/{n}/name", "/track/{n}/number/str", "/track/{n}/volume", "/track/{n}/volume/db",
    "/track/{n}/volume/str", "/track/{n}/pan", "/track/{n}/pan/str", "/track/{n}/mute", "/track/{n}/solo",
    "/track/{n}/select", "/track/{n}/fx/{m}/name", "/track/{n}/fx/{m}/bypass",
    "/track/{n}/fx/{m}/fxparam/{k}/value", "/master/volume", "/master/volume/db", "/master/volume/str",
    "/master/pan", "/play", "/stop", "/pause", "/record", "/repeat", "/time", "/time/str", "/loop/start/time",
    "/loop/end/time", "/anysolo", "/marker/{n}/name", "/marker/{n}/number/str", "/marker/{n}/time",
    "/track/volume", "/bankedit", "/action", "/nope/{n}", "/",
)
#: Odd numbers to put where a track, FX or parameter number goes.
ODD_NUMBERS = ("0", "-1", "1", "64", "65", "99999", "4294967296", "1e3", "01", " 2", "x", "", "3.5", "NaN")
#: Odd argument values (tag, payload) for the ``typed`` class.
_F = struct.Struct(">f")


def pad(b: bytes) -> bytes:
    """OSC string padding: NUL-terminate and pad to a multiple of 4 bytes."""
    b += b"\0"
    return b + b"\0" * (-len(b) % 4)


def arg_bytes(tag: str, value: object) -> bytes:
    """The payload of one argument of type ``tag`` (i f s b h d t T F N I)."""
    if tag == "i":
        return struct.pack(">i", int(value))  # type: ignore[call-overload]
    if tag == "f":
        return _F.pack(float(value))  # type: ignore[arg-type]
    if tag == "s":
        return pad(str(value).encode("utf-8", "surrogatepass"))
    if tag == "b":
        blob = bytes(value)  # type: ignore[call-overload]
        return struct.pack(">i", len(blob)) + blob + b"\0" * (-len(blob) % 4)
    if tag in "hdt":
        return struct.pack(">q", int(value)) if tag != "d" else struct.pack(">d", float(value))  # type: ignore[call-overload,arg-type]
    return b""  # T F N I carry no payload


def message(address: str, args: Sequence[tuple[str, object]] = ()) -> bytes:
    """A literal OSC message with explicit (tag, value) arguments."""
    tags = "," + "".join(t for t, _ in args)
    return pad(address.encode("utf-8", "surrogatepass")) + pad(tags.encode()) + b"".join(
        arg_bytes(t, v) for t, v in args
    )


def bundle(*elements: bytes, timetag: int = 1) -> bytes:
    """A literal ``#bundle`` of ``elements`` (messages or bundles)."""
    return b"#bundle\0" + timetag.to_bytes(8, "big") + b"".join(len(e).to_bytes(4, "big") + e for e in elements)


@dataclass(frozen=True)
class Datagram:
    """One fuzz datagram: its ``kind`` (generator name), ``cls`` (``malformed`` or ``typed``) and bytes."""

    kind: str
    cls: str
    data: bytes


# ---- valid seeds ---------------------------------------------------------------------------------------
def _address(rng: random.Random, *, odd: bool) -> str:
    template = rng.choice(REAPER_ADDRESSES)

    def num() -> str:
        return rng.choice(ODD_NUMBERS) if odd else str(rng.randint(1, 8))

    return template.replace("{n}", num()).replace("{m}", num()).replace("{k}", num())


def _valid_arg(rng: random.Random) -> tuple[str, object]:
    kind = rng.randrange(3)
    if kind == 0:
        return ("f", rng.uniform(-1.0, 1.0))
    if kind == 1:
        return ("i", rng.randint(0, 1))
    return ("s", rng.choice(("Vocals", "-6.02dB", "25%L", "center", "1")))


def valid_message(rng: random.Random) -> bytes:
    """A plausible REAPER feedback message with 1-3 arguments (used as the base of truncation)."""
    return message(_address(rng, odd=False), [_valid_arg(rng) for _ in range(rng.randint(1, 3))])


# ---- malformed: none of these may decode ----------------------------------------------------------------
def garbage(rng: random.Random) -> bytes:
    """Random bytes, not starting with ``/`` or ``#``."""
    first = rng.choice([b for b in range(256) if b not in (0x2F, 0x23)])
    return bytes([first]) + rng.randbytes(rng.randint(0, 1500))


def truncated_message(rng: random.Random) -> bytes:
    """A message cut inside its type tags or arguments (never at a boundary that leaves a valid prefix)."""
    full = valid_message(rng)
    addr_end = full.index(b"\0") + 1
    addr_end += -addr_end % 4
    # cut after the type tag string's first byte and before the last argument byte is complete
    return full[: rng.randint(addr_end + 1, len(full) - 1)]


def truncated_bundle(rng: random.Random) -> bytes:
    """A bundle whose last element is cut (its size prefix promises more bytes than remain)."""
    elements = [valid_message(rng) for _ in range(rng.randint(1, 4))]
    full = bundle(*elements)
    last = len(elements[-1])
    return full[: len(full) - rng.randint(1, last - 1)]


def bad_element_size(rng: random.Random) -> bytes:
    """A bundle element with a size that is negative, zero, unaligned or larger than the packet."""
    element = valid_message(rng)
    size = rng.choice((-4, 0, len(element) + 4, len(element) - 1, 2**31 - 1, len(element) + 1))
    return b"#bundle\0" + (1).to_bytes(8, "big") + size.to_bytes(4, "big", signed=True) + element


def short_bundle_header(rng: random.Random) -> bytes:
    """``#bundle`` with a missing or short timetag."""
    return b"#bundle\0" + rng.randbytes(rng.randint(0, 7))


def unknown_tags(rng: random.Random) -> bytes:
    """A message whose type tags include letters OSC does not define."""
    tag = rng.choice("xyzZaeXgjklo")
    return pad(_address(rng, odd=False).encode()) + pad(("," + tag).encode()) + b"\0\0\0\1"


def tags_without_data(rng: random.Random) -> bytes:
    """Type tags promising arguments the packet does not carry."""
    tags = "," + "".join(rng.choice("ifsbhd") for _ in range(rng.randint(1, 4)))
    return pad(_address(rng, odd=False).encode()) + pad(tags.encode())


def unterminated(rng: random.Random) -> bytes:
    """An address or string argument without its NUL terminator."""
    if rng.random() < 0.5:
        return b"/track/1/name" + rng.choice((b"", b"x", b"xy", b"xyz"))  # 13+ bytes, never NUL
    return pad(b"/track/1/name") + pad(b",s") + b"Vocal"


def oversized(rng: random.Random) -> bytes:
    """More than a UDP datagram can carry (in-process only)."""
    return b"/track/1/name\0\0\0,s\0\0" + b"x" * rng.randint(65508, 70000)


def deep_bundle(rng: random.Random) -> bytes:
    """Bundles nested deeper than the codec allows (8)."""
    inner = valid_message(rng)
    for _ in range(rng.randint(10, 40)):
        inner = bundle(inner)
    return inner


def empty(rng: random.Random) -> bytes:
    return b""


def bad_utf8(rng: random.Random) -> bytes:
    """An address or string argument that is not UTF-8."""
    junk = bytes([rng.choice((0xFF, 0xC3, 0xED, 0x80))]) + b"\xa0\xa1"
    if rng.random() < 0.5:
        return pad(b"/track/1/" + junk) + pad(b",i") + b"\0\0\0\1"
    return pad(b"/track/1/name") + pad(b",s") + pad(junk)


def bundle_with_bad_element(rng: random.Random) -> bytes:
    """A bundle carrying good messages and one undecodable one (the whole datagram is refused)."""
    good = [valid_message(rng) for _ in range(rng.randint(1, 3))]
    bad = rng.choice((unknown_tags, tags_without_data, bad_utf8))(rng)  # each already 4-byte aligned
    good.insert(rng.randrange(len(good) + 1), bad)
    return bundle(*good)


MALFORMED: dict[str, Callable[[random.Random], bytes]] = {
    "garbage": garbage,
    "truncated_message": truncated_message,
    "truncated_bundle": truncated_bundle,
    "bad_element_size": bad_element_size,
    "short_bundle_header": short_bundle_header,
    "unknown_tags": unknown_tags,
    "tags_without_data": tags_without_data,
    "unterminated": unterminated,
    "oversized": oversized,
    "deep_bundle": deep_bundle,
    "empty": empty,
    "bad_utf8": bad_utf8,
    "bundle_with_bad_element": bundle_with_bad_element,
}


# ---- typed: decodable, but wrong types, odd values, odd addresses ---------------------------------------
_ODD_VALUES: tuple[tuple[str, object], ...] = (
    ("f", math.nan), ("f", math.inf), ("f", -math.inf), ("f", 1e38), ("f", -1e38), ("f", -0.0),
    ("i", 2**31 - 1), ("i", -(2**31)), ("i", -1), ("s", ""), ("s", "nan"), ("s", "-inf dB"), ("s", "1e400dB"),
    ("s", "999%R"), ("s", "x" * 900), ("s", "Track 3"), ("d", 1.5), ("h", 2**40),
    ("b", b"\x00\x01"), ("T", None), ("F", None), ("N", None), ("I", None), ("t", 7),
)


def wrongly_typed(rng: random.Random) -> bytes:
    """A REAPER address (sometimes with odd numbers in it) with 0-3 odd arguments."""
    args = [rng.choice(_ODD_VALUES) for _ in range(rng.randint(0, 3))]
    return message(_address(rng, odd=rng.random() < 0.5), args)


def typed_bundle(rng: random.Random) -> bytes:
    """A bundle (sometimes nested) of wrongly typed messages."""
    elements = [wrongly_typed(rng) for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.3:
        elements = [bundle(*elements)]
    return bundle(*elements)


def bit_flipped(rng: random.Random) -> bytes:
    """A valid message with its argument bytes flipped (addresses and tags intact)."""
    full = valid_message(rng)
    addr_end = full.index(b",")
    data = bytearray(full)
    tags_end = data.index(b"\0", addr_end) + 1
    tags_end += -tags_end % 4
    if tags_end >= len(data):
        return bytes(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(tags_end, len(data))
        data[i] ^= 1 << rng.randrange(8)
    # a flipped byte inside a string may remove its terminator: keep strings terminated
    if b"s" in full[addr_end:tags_end]:
        data[-1] = 0
    return bytes(data)


TYPED: dict[str, Callable[[random.Random], bytes]] = {
    "wrongly_typed": wrongly_typed,
    "typed_bundle": typed_bundle,
}
#: Decodable or not (a flipped byte may break a string): no expectation beyond "nothing breaks".
MUTATED: dict[str, Callable[[random.Random], bytes]] = {"bit_flipped": bit_flipped}


def datagrams(
    seed: int, count: int, *, max_bytes: int | None = None, typed_share: float = 0.4, mutated_share: float = 0.1
) -> Iterator[Datagram]:
    """``count`` datagrams from ``seed``: ``typed_share`` decodable-but-odd, ``mutated_share`` bit-flipped, the
    rest malformed. ``max_bytes`` leaves out generators whose output may exceed it (UDP: 65507)."""
    rng = random.Random(seed)
    malformed = {k: g for k, g in MALFORMED.items() if max_bytes is None or k != "oversized"}
    groups = (("typed", TYPED), ("mutated", MUTATED), ("malformed", malformed))
    for _ in range(count):
        roll = rng.random()
        cls, gens = groups[0] if roll < typed_share else groups[1] if roll < typed_share + mutated_share else groups[2]
        kind = rng.choice(sorted(gens))
        data = gens[kind](rng)
        if max_bytes is not None and len(data) > max_bytes:
            data = data[:max_bytes]
        yield Datagram(kind, cls, data)
