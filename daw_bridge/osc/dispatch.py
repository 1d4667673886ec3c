"""Incoming OSC datagram -> decoded messages -> pattern match -> handler by ``(action, flag)``.

The dispatcher knows nothing of sockets: a transport hands it bytes (:meth:`Dispatcher.dispatch_packet`), it
decodes them with :mod:`daw_bridge.osc.codec`, routes every message through the loaded
:class:`~daw_bridge.osc.patterns.PatternSet` and calls the handler mapped to the matched pattern's action and
type flag. Nothing raises into the caller (the receive thread): a malformed packet, an address no pattern knows
and a handler that fails are each counted in :class:`DispatchStats` and logged with :mod:`logging`.

When one address matches several patterns (``TRACK_MONITOR b/track/@/monitor i/track/@/monitor``), the first
match whose flag fits the argument types and that has a handler wins: a string argument fits ``s``, an int fits
``i`` (and the numeric flags), a float fits ``n f b t r``.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CodecError
from .codec import Message, decode_packet
from .patterns import Match, PatternSet

log = logging.getLogger(__name__)

#: ``handler(match, message)``: ``match.targets`` holds the ``@`` values in address order.
Handler = Callable[[Match, Message], None]

_NUMERIC_FLAGS = frozenset("nfbtri")
#: The address cache holds at most this many addresses (a 1,024-track session's feedback is about 30 per track)...
CACHE_MAX_ENTRIES = 32768
#: ...of at most this many characters each (REAPER's longest, FX parameter names with two targets, are ~40).
CACHE_MAX_ADDRESS = 96


@dataclass
class DispatchStats:
    """Counters since the dispatcher was made (read them; they only grow)."""

    packets: int = 0
    messages: int = 0
    handled: int = 0
    malformed: int = 0  #: datagrams that did not decode
    unknown: int = 0  #: messages whose address matches no pattern in the loaded file
    unhandled: int = 0  #: messages that match a pattern nobody listens to (normal: REAPER sends a lot)
    handler_errors: int = 0  #: handlers that raised (a bug; logged with traceback)
    non_finite: int = 0  #: messages dropped for a NaN or infinite argument (REAPER never sends one)


def _fits(flag: str, args: tuple[object, ...]) -> bool:
    if not args:
        return flag == "t"
    first = args[0]
    if isinstance(first, str):
        return flag == "s"
    if isinstance(first, int):
        return flag in _NUMERIC_FLAGS
    return flag in _NUMERIC_FLAGS and flag != "i"


class Dispatcher:
    """Route decoded OSC messages to handlers keyed by ``(action, flag)`` of the loaded pattern file."""

    def __init__(self, patterns: PatternSet) -> None:
        self.patterns = patterns
        self.stats = DispatchStats()
        self._handlers: dict[tuple[str, str], list[tuple[int | None, Handler]]] = {}
        self._lock = threading.Lock()
        self._cache: dict[str, list[Match]] = {}  # address -> matches (bounded: see _remember)

    def map(self, action: str, flag: str, handler: Handler, *, wildcards: int | None = None) -> None:
        """Call ``handler`` for messages matching a pattern of ``action`` with type ``flag``.

        ``wildcards`` restricts it to patterns with that many ``@`` (``FX_NAME`` has 0, 1 and 2-target forms).
        """
        with self._lock:
            self._handlers.setdefault((action, flag), []).append((wildcards, handler))

    def _handler_for(self, match: Match) -> Handler | None:
        for wildcards, handler in self._handlers.get((match.action, match.flag), ()):
            if wildcards is None or wildcards == match.pattern.wildcards:
                return handler
        return None

    def _remember(self, address: str, matches: list[Match]) -> None:
        """Cache the matches of an address REAPER could send: one that matched, of at most
        :data:`CACHE_MAX_ADDRESS` characters, up to :data:`CACHE_MAX_ENTRIES` of them (then the cache starts over).
        Unknown and long addresses are matched again each time, so junk cannot fill memory."""
        if not matches or len(address) > CACHE_MAX_ADDRESS:
            return
        if len(self._cache) >= CACHE_MAX_ENTRIES:
            self._cache.clear()
        self._cache[address] = matches

    def dispatch_packet(self, data: bytes) -> int:
        """Decode one datagram and dispatch every message in it; returns how many were handled. Never raises."""
        self.stats.packets += 1
        try:
            messages = decode_packet(data)
        except CodecError as exc:
            self.stats.malformed += 1
            log.warning("dropped malformed OSC packet (%d bytes): %s", len(data), exc)
            return 0
        handled = 0
        for message in messages:
            handled += self.dispatch_message(message)
        return handled

    def dispatch_message(self, message: Message) -> int:
        """Dispatch one message; 1 if a handler ran, else 0. Never raises."""
        self.stats.messages += 1
        matches = self._cache.get(message.address)
        if matches is None:
            try:
                matches = self.patterns.match(message.address)
            except Exception:  # a pattern-matching bug must not escape: count it as an unknown address
                log.exception("OSC address %.80r could not be matched", message.address)
                matches = []
            self._remember(message.address, matches)
        if not matches:
            self.stats.unknown += 1
            log.debug("dropped OSC message no pattern knows: %r", message)
            return 0
        if any(isinstance(a, float) and not math.isfinite(a) for a in message.args):
            self.stats.non_finite += 1  # such a value must never reach the mirror
            log.warning("dropped OSC message with a non-finite value: %r", message)
            return 0
        for match in matches:
            if not _fits(match.flag, message.args):
                continue
            handler = self._handler_for(match)
            if handler is None:
                continue
            try:
                handler(match, message)
            except Exception:  # a handler bug must not kill the receive thread
                self.stats.handler_errors += 1
                log.exception("OSC handler for %s %s failed on %r", match.action, match.flag, message)
                return 0
            self.stats.handled += 1
            return 1
        self.stats.unhandled += 1
        return 0
