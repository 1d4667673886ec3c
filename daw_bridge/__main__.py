"""``python -m daw_bridge``."""

from daw_bridge.cli import main

main()
