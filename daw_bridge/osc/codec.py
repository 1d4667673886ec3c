"""OSC messages and bundles <-> bytes, the way REAPER reads and writes them.

REAPER parses only ``i`` (int32), ``f`` (float32) and ``s`` (string) arguments, so :func:`encode_message`
refuses anything else (bools, doubles, blobs, None). REAPER caps a message at 1024 bytes and packs feedback in
``#bundle``s of at most 1024 bytes (:func:`pack_bundles`). Decoding unpacks nested bundles into a flat list.
Every failure is a :class:`~daw_bridge.errors.CodecError` that says what was wrong.

Strings are cut byte-safely (at a UTF-8 character boundary) where they must fit: :func:`truncate_utf8` and
:func:`fit_message`, which :func:`pack_bundles` applies to feedback, so one long name never makes a dump fail.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pythonosc.osc_bundle import OscBundle
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.parsing import osc_types

from ..errors import CodecError

#: REAPER's maximum message and feedback-bundle size in bytes.
MAX_PACKET_BYTES = 1024

Arg = int | float | str

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_FLOAT32_MAX = 3.4028234663852886e38

#: Type tags python-osc can size and skip; any other tag makes the rest of the message unreadable.
_KNOWN_TAGS = frozenset("ifsbhdtTFNIcrm[]")


@dataclass(frozen=True)
class Message:
    """One OSC message: an address and i/f/s arguments."""

    address: str
    args: tuple[Arg, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        return f"Message({self.address!r}, {list(self.args)!r})"


def _check_address(address: str) -> None:
    if not isinstance(address, str) or not address.startswith("/") or "\x00" in address or " " in address:
        raise CodecError(f"OSC address {address!r} must be a string starting with '/' without spaces")


def encode_message(message: Message, *, max_bytes: int | None = MAX_PACKET_BYTES) -> bytes:
    """Bytes of ``message``; raises CodecError for non-i/f/s arguments or more than ``max_bytes`` (1024)."""
    _check_address(message.address)
    builder = OscMessageBuilder(address=message.address)
    for arg in message.args:
        if isinstance(arg, bool) or not isinstance(arg, int | float | str):
            raise CodecError(
                f"{message.address}: argument {arg!r} ({type(arg).__name__}) is not i, f or s; "
                "REAPER parses nothing else"
            )
        if isinstance(arg, int):
            if not _INT32_MIN <= arg <= _INT32_MAX:
                raise CodecError(f"{message.address}: integer {arg} does not fit int32")
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_INT)
        elif isinstance(arg, float):
            if math.isfinite(arg) and abs(arg) > _FLOAT32_MAX:
                raise CodecError(f"{message.address}: float {arg!r} does not fit float32")
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_FLOAT)
        else:
            if "\x00" in arg:
                raise CodecError(f"{message.address}: string argument contains a NUL byte")
            builder.add_arg(arg, OscMessageBuilder.ARG_TYPE_STRING)
    try:
        data: bytes = builder.build().dgram
    except Exception as exc:  # python-osc BuildError and encoding errors
        raise CodecError(f"{message.address}: cannot encode ({exc})") from exc
    if max_bytes is not None and len(data) > max_bytes:
        raise CodecError(f"{message.address}: message is {len(data)} bytes, over REAPER's {max_bytes}")
    return data


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max(0, max_bytes)].decode("utf-8", errors="ignore")


def fit_message(message: Message, max_bytes: int = MAX_PACKET_BYTES) -> Message:
    """``message`` with its string arguments shortened (byte-safe, last string first) so it encodes in
    ``max_bytes``; raises CodecError when even empty strings do not fit (an address that long)."""
    size = len(encode_message(message, max_bytes=None))
    if size <= max_bytes:
        return message
    args = list(message.args)
    for i in reversed(range(len(args))):
        arg = args[i]
        if not isinstance(arg, str) or not arg:
            continue
        raw = len(arg.encode("utf-8"))
        # a string of n bytes takes n+1 rounded up to 4; shorten by the excess, then re-check the padding
        keep = max(0, raw - (size - max_bytes))
        while True:
            args[i] = truncate_utf8(arg, keep)
            size = len(encode_message(Message(message.address, tuple(args)), max_bytes=None))
            if size <= max_bytes or keep == 0:
                break
            keep -= 1
        if size <= max_bytes:
            return Message(message.address, tuple(args))
    raise CodecError(f"{message.address}: message is {size} bytes even with empty strings, over {max_bytes}")


def encode_bundle(messages: Sequence[Message]) -> bytes:
    """One ``#bundle`` (timetag "immediately") holding ``messages``; raises if over 1024 bytes.

    A bundle is how a multi-message change (an A/B switch) reaches REAPER in one packet.
    """
    if not messages:
        raise CodecError("an OSC bundle needs at least one message")
    data = _bundle_bytes([encode_message(m) for m in messages])
    if len(data) > MAX_PACKET_BYTES:
        raise CodecError(
            f"bundle of {len(messages)} messages is {len(data)} bytes, over REAPER's {MAX_PACKET_BYTES}: "
            "split the change"
        )
    return data


def _bundle_bytes(encoded: Iterable[bytes]) -> bytes:
    builder = OscBundleBuilder(IMMEDIATELY)
    for dgram in encoded:
        builder.add_content(OscMessage(dgram))
    return bytes(builder.build().dgram)


def pack_bundles(messages: Sequence[Message], *, max_bytes: int = MAX_PACKET_BYTES) -> list[bytes]:
    """Pack ``messages`` in order into as few ``#bundle``s of at most ``max_bytes`` each (REAPER's feedback).

    A message too long for a bundle has its strings cut to fit (:func:`fit_message`), byte-safely.
    """
    header = 16  # "#bundle\0" + 8-byte timetag
    packets: list[bytes] = []
    current: list[bytes] = []
    size = header
    for m in messages:
        dgram = encode_message(m, max_bytes=None)
        if header + 4 + len(dgram) > max_bytes:
            dgram = encode_message(fit_message(m, max_bytes - header - 4), max_bytes=None)
        need = 4 + len(dgram)
        if header + need > max_bytes:
            raise CodecError(f"{m.address}: message too large for a {max_bytes}-byte bundle")
        if size + need > max_bytes and current:
            packets.append(_bundle_bytes(current))
            current, size = [], header
        current.append(dgram)
        size += need
    if current:
        packets.append(_bundle_bytes(current))
    return packets


def decode_packet(data: bytes, *, max_message_bytes: int | None = None) -> list[Message]:
    """Messages in one UDP datagram (a message or a bundle, nested bundles flattened, in order).

    Arguments of types REAPER does not parse are dropped from the message, as REAPER drops them.
    ``max_message_bytes`` (REAPER: 1024) refuses a packet holding a longer message, as REAPER stops reading there.
    Raises CodecError on malformed or oversized input.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CodecError(f"OSC packet must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > 65507:
        raise CodecError(f"OSC packet of {len(data)} bytes exceeds a UDP datagram")
    if not data:
        raise CodecError("empty OSC packet")
    try:
        if OscBundle.dgram_is_bundle(data):
            _check_bundle_framing(data, depth=0, max_message_bytes=max_message_bytes)
            return _flatten(OscBundle(data), depth=0)
        if data.startswith(b"/"):
            _check_message_size(data, 0, max_message_bytes)
            return [_from_osc_message(OscMessage(data))]
    except CodecError:
        raise
    except Exception as exc:  # python-osc ParseError, struct errors, decoding errors
        raise CodecError(f"malformed OSC packet ({type(exc).__name__}: {exc})") from exc
    raise CodecError(f"not an OSC packet (starts with {data[:8]!r})")


_BUNDLE_HEADER = 16  # "#bundle\0" + 8-byte timetag
_MAX_DEPTH = 8


def _check_message_size(element: bytes, at: int, limit: int | None) -> None:
    if limit is not None and len(element) > limit:
        raise CodecError(f"OSC message at byte {at} is {len(element)} bytes, over the {limit}-byte message limit")


def _check_bundle_framing(data: bytes, *, depth: int, max_message_bytes: int | None = None) -> None:
    """Refuse a bundle whose element sizes do not tile it exactly (python-osc loops forever on a negative size
    and silently skips elements it cannot identify), or that nests more than 8 deep."""
    if depth > _MAX_DEPTH:
        raise CodecError(f"OSC bundles nested more than {_MAX_DEPTH} deep")
    if len(data) < _BUNDLE_HEADER:
        raise CodecError(f"OSC bundle of {len(data)} bytes is shorter than its 16-byte header")
    index = _BUNDLE_HEADER
    while index < len(data):
        if index + 4 > len(data):
            raise CodecError(f"OSC bundle element size at byte {index} is cut off")
        size = int.from_bytes(data[index : index + 4], "big", signed=True)
        index += 4
        if size <= 0 or size % 4 or index + size > len(data):
            raise CodecError(
                f"OSC bundle element at byte {index - 4} has size {size}: not a positive multiple of 4 within the "
                f"{len(data) - index} bytes left"
            )
        element = data[index : index + size]
        if element.startswith(b"#bundle\0"):
            _check_bundle_framing(element, depth=depth + 1, max_message_bytes=max_message_bytes)
        elif not element.startswith(b"/"):
            raise CodecError(f"OSC bundle element at byte {index} is neither a message nor a bundle")
        else:
            _check_message_size(element, index, max_message_bytes)
        index += size


def _flatten(bundle: OscBundle, *, depth: int) -> list[Message]:
    if depth > 8:
        raise CodecError("OSC bundles nested more than 8 deep")
    out: list[Message] = []
    for content in bundle:
        if isinstance(content, OscBundle):
            out.extend(_flatten(content, depth=depth + 1))
        else:
            out.append(_from_osc_message(content))
    return out


def _from_osc_message(msg: OscMessage) -> Message:
    dgram = msg.dgram
    _, index = osc_types.get_string(dgram, 0)
    if index < len(dgram):
        tags, index = osc_types.get_string(dgram, index)
        unknown = set(tags.lstrip(",")) - _KNOWN_TAGS
        if not tags.startswith(",") or unknown:
            raise CodecError(f"{msg.address}: unknown OSC type tag(s) {''.join(sorted(unknown)) or tags!r}")
        needed = _payload_end(dgram, index, tags.lstrip(","))
        if needed > len(dgram):
            raise CodecError(f"{msg.address}: truncated arguments ({len(dgram)} bytes, {needed} needed for {tags!r})")
    address = msg.address
    if not isinstance(address, str) or not address.startswith("/"):
        raise CodecError(f"OSC address {address!r} does not start with '/'")
    args: list[Arg] = []
    for arg in msg.params:
        if isinstance(arg, bool) or not isinstance(arg, int | float | str):
            continue
        args.append(arg)
    return Message(address, tuple(args))


def _payload_end(dgram: bytes, index: int, tags: str) -> int:
    """Byte offset where the arguments described by ``tags`` end (may exceed ``len(dgram)`` if truncated)."""
    for tag in tags:
        if tag in "ifcrm":
            index += 4
        elif tag in "hdt":
            index += 8
        elif tag == "s":
            end = dgram.find(b"\x00", index)
            if end < 0:
                return len(dgram) + 1
            index = end + 1 + (-(end + 1) % 4)
        elif tag == "b":
            if index + 4 > len(dgram):
                return index + 4
            size = int.from_bytes(dgram[index : index + 4], "big")
            index += 4 + size + (-size % 4)
    return index
