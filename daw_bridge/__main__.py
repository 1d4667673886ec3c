"""``python -m daw_bridge`` and the ``daw-bridge`` console script.

Ctrl-C at any moment prints ``Interrupted.`` and exits 130, never a traceback: from here on through
:func:`daw_bridge.cli.main`; while the CLI is still being imported, :func:`main` catches it; and an interrupt
that escapes anyway (between this module and ``main``) meets :func:`_quiet_interrupt` instead of Python's
traceback printer (Python then ends the process by SIGINT, status 130 in a shell); one that lands in a callback
Python cannot raise from is delivered again (:func:`_redeliver_interrupt`). Only the interpreter's own first
milliseconds (before the console script runs any daw-bridge code) are Python's.
"""

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # nothing imported at run time before the hooks below are set (an import can be interrupted;
    # for the same reason no `from __future__` import, which is a run-time import too)
    from types import TracebackType


def _quiet_interrupt(kind: type[BaseException], exc: BaseException, tb: "TracebackType | None") -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("Interrupted.\n")
    else:
        sys.__excepthook__(kind, exc, tb)


def _redeliver_interrupt(args: "sys.UnraisableHookArgs") -> None:
    """A Ctrl-C that lands in a callback Python cannot raise from (an import lock's weakref callback, a
    finalizer) is otherwise printed as 'Exception ignored ...' and lost: deliver it to the main thread again."""
    if args.exc_type is not None and issubclass(args.exc_type, KeyboardInterrupt):
        import _thread

        _thread.interrupt_main()
        return
    sys.__unraisablehook__(args)


# this module is the program's entry: it owns how the process reports an interrupt
sys.excepthook = _quiet_interrupt
sys.unraisablehook = _redeliver_interrupt


def main() -> None:
    """Console-script entry point."""
    try:
        from daw_bridge.cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        raise SystemExit(130) from None
    cli_main()


if __name__ == "__main__":
    main()
