"""Ardour 7's own OSC address space: message builders and the quirks a client must handle.

* Strip ids (``ssid``) are 1-based in the current bank; we use bank size 0 (all strips), so ssid = track number.
  Plugin ids (``piid``) and parameter ids are 1-based too.
* Registered paths match type tags exactly: floats must go as ``f`` (``-6.0``, never ``-6``), ints as ``i``.
* Query replies arrive at ``#reply``, which is not a valid OSC address; :data:`FEEDBACK` sets bit 16384 so
  Ardour uses ``/reply``, and :func:`decode` rewrites a stray ``#reply`` anyway.
* Replies go to ``remote-port`` (8000) unless the session's OSC surface has ``address-only="0"``
  (:func:`daw_bridge.ardour.session.enable_osc`) or the OSC settings' port mode is "Auto".
"""

from __future__ import annotations

from ..errors import CodecError
from ..osc.codec import Message, decode_packet, encode_bundle, encode_message

#: ``/set_surface`` feedback bits: 1 buttons, 2 values, 16 master section, 16384 ``/reply`` not ``#reply``.
FEEDBACK = 1 + 2 + 16 + 16384
#: Strip types: audio tracks, MIDI tracks, audio buses, MIDI buses, VCAs.
STRIP_TYPES = 31
#: ``/set_surface`` fader mode 0: ``/strip/gain`` in dB.
GAIN_MODE_DB = 0


def _f(value: float) -> float:
    return float(value)


def _ssid(ssid: int) -> int:
    if isinstance(ssid, bool) or not isinstance(ssid, int) or ssid < 1:
        raise CodecError(f"Ardour strip id {ssid!r} must be an integer >= 1 (1-based)")
    return ssid


def set_surface() -> Message:
    """Bank 0 (all strips), every strip type, feedback with ``/reply``, gain in dB."""
    return Message("/set_surface", (0, STRIP_TYPES, FEEDBACK, GAIN_MODE_DB))


def strip_list() -> Message:
    """Ask for one ``/reply`` per strip, then ``/reply end_route_list rate last_sample ...``."""
    return Message("/strip/list")


def strip_gain(ssid: int, gain_db: float) -> Message:
    """Track fader in dB."""
    return Message("/strip/gain", (_ssid(ssid), _f(gain_db)))


def strip_mute(ssid: int, on: bool) -> Message:
    """Mute 1 / unmute 0."""
    return Message("/strip/mute", (_ssid(ssid), int(bool(on))))


def strip_solo(ssid: int, on: bool) -> Message:
    """Solo 1 / unsolo 0."""
    return Message("/strip/solo", (_ssid(ssid), int(bool(on))))


def strip_pan(ssid: int, position: float) -> Message:
    """Ardour pan position 0..1 (see :func:`pan_to_position`)."""
    return Message("/strip/pan_stereo_position", (_ssid(ssid), _f(min(1.0, max(0.0, position)))))


def strip_name(ssid: int, name: str) -> Message:
    """Rename a strip."""
    return Message("/strip/name", (_ssid(ssid), str(name)))


def plugin_list(ssid: int) -> Message:
    """Ask for ``/strip/plugin/list ssid piid name enabled`` per plugin."""
    return Message("/strip/plugin/list", (_ssid(ssid),))


def plugin_descriptor(ssid: int, piid: int) -> Message:
    """Ask for one descriptor per parameter, then ``/strip/plugin/descriptor_end``."""
    return Message("/strip/plugin/descriptor", (_ssid(ssid), _ssid(piid)))


def plugin_parameter(ssid: int, piid: int, param: int, value: float) -> Message:
    """Set a plugin parameter in its native units (``iiif``); out-of-range values are dropped by Ardour."""
    return Message("/strip/plugin/parameter", (_ssid(ssid), _ssid(piid), _ssid(param), _f(value)))


def locate(samples: int, *, roll: bool = False) -> Message:
    """Move the playhead to ``samples`` (``ii``)."""
    return Message("/locate", (int(samples), int(roll)))


def loop_location(start: int, end: int) -> Message:
    """Set the loop range in samples (``ii``)."""
    return Message("/loop_location", (int(start), int(end)))


def simple(address: str) -> Message:
    """An argument-less command: ``/transport_play``, ``/transport_stop``, ``/loop_toggle``, ``/save_state``."""
    return Message(address)


def pan_to_position(pan: float) -> float:
    """daw-bridge pan -1 (left) .. +1 (right) -> Ardour's ``pan_stereo_position`` (1 = left, 0 = right)."""
    return (1.0 - max(-1.0, min(1.0, pan))) / 2.0


def position_to_pan(position: float) -> float:
    """Ardour's ``pan_stereo_position`` 0..1 -> daw-bridge pan -1..+1."""
    return 1.0 - 2.0 * max(0.0, min(1.0, position))


def encode(messages: list[Message]) -> bytes:
    """One message as-is, several as one ``#bundle`` (one datagram: Ardour applies them in one go)."""
    if len(messages) == 1:
        return encode_message(messages[0])
    return encode_bundle(messages)


def decode(data: bytes) -> list[Message]:
    """Messages in one datagram from Ardour; ``#reply`` is read as ``/reply``."""
    if data.startswith(b"#reply\x00"):
        data = b"/" + data[1:]
    return decode_packet(data)


__all__ = [
    "FEEDBACK",
    "decode",
    "encode",
    "locate",
    "loop_location",
    "pan_to_position",
    "plugin_descriptor",
    "plugin_list",
    "plugin_parameter",
    "position_to_pan",
    "set_surface",
    "simple",
    "strip_gain",
    "strip_list",
    "strip_mute",
    "strip_name",
    "strip_pan",
    "strip_solo",
]
