"""The one error tree of daw-bridge.

Every error the library raises on purpose derives from :class:`DawBridgeError`; where a builtin fits too,
the class also inherits it, so ``except ValueError`` keeps working::

    DawBridgeError
    ├── ConfigError (ValueError)             bad or unreadable user config
    ├── PatternFileError (ValueError)        .ReaperOSC file that does not parse (names file:line)
    ├── OscError
    │   ├── CodecError (ValueError)          malformed, oversized or wrongly typed OSC bytes
    │   └── AddressError (KeyError)          no pattern in the loaded file builds/matches an address
    ├── DawError
    │   ├── DawUnreachable (ConnectionError) no feedback from the DAW within the timeout
    │   ├── DawTimeout (TimeoutError)        a command's confirmation did not arrive in time
    │   └── TrackNotFound (LookupError)      no track of that name or index
    ├── BridgeError
    │   ├── BridgeTimeout (TimeoutError)     no response in the mailbox in time (bridge not running?)
    │   ├── BridgeRefused                    the bridge answered with an error response
    │   └── BridgePathError (PermissionError) a path outside the allowed folders
    ├── InvalidAudio (ValueError)            unreadable, corrupt, empty or unsuitable audio (names the file)
    ├── InvalidParameter (ValueError)        a DSP/analysis parameter out of range (names value and fix)
    ├── PresetError (ValueError)             a broken preset or AutoEq file (names file:line)
    ├── ProfileError (ValueError)            a reference profile that cannot be read, or of another version
    ├── RenderError                          a render failed or its file never appeared
    └── ReportError (OSError)                a report cannot be written (never overwritten)
"""

from __future__ import annotations


class DawBridgeError(Exception):
    """Base of every error daw-bridge raises on purpose."""


class ConfigError(DawBridgeError, ValueError):
    """The user config is unreadable or holds a bad value."""


class PatternFileError(DawBridgeError, ValueError):
    """A ``.ReaperOSC`` pattern file does not parse."""


class OscError(DawBridgeError):
    """Base of OSC wire errors."""


class CodecError(OscError, ValueError):
    """OSC bytes that are malformed, oversized or carry argument types REAPER does not parse."""


class AddressError(OscError, KeyError):
    """No pattern in the loaded pattern file builds or matches the requested address."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DawError(DawBridgeError):
    """Base of errors talking to a DAW."""


class DawUnreachable(DawError, ConnectionError):
    """The DAW sent no feedback within the timeout (not running, wrong host or ports, OSC off)."""


class DawTimeout(DawError, TimeoutError):
    """A command's confirmation did not arrive in time."""


class TrackNotFound(DawError, LookupError):
    """No track with that name or index."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class BridgeError(DawBridgeError):
    """Base of bridge-protocol errors."""


class BridgeTimeout(BridgeError, TimeoutError):
    """No response appeared in the mailbox in time."""


class BridgeRefused(BridgeError):
    """The bridge answered with an error response."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class BridgePathError(BridgeError, PermissionError):
    """A path outside the configured bridge or render folders."""


class InvalidAudio(DawBridgeError, ValueError):
    """Audio that cannot be read or analysed; the message names the file and the problem."""


class InvalidParameter(DawBridgeError, ValueError):
    """A parameter out of range; the message names the value and the fix."""


class PresetError(DawBridgeError, ValueError):
    """A broken preset or AutoEq file; the message names file and line."""


class ProfileError(DawBridgeError, ValueError):
    """A reference profile that is missing, unreadable, or from another schema or analysis version."""


class RenderError(DawBridgeError):
    """A render failed, or its file never appeared."""


class ReportError(DawBridgeError, OSError):
    """A report cannot be written (reports, like bounces, are never overwritten)."""


class SofaError(DawBridgeError, ValueError):
    """A SOFA (AES69) head-related impulse response file that cannot be used; the message names the file."""
