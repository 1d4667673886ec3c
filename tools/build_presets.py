"""Rebuild the shipped presets (daw_bridge/data/presets/headphones/*.toml) from the AutoEq reference files.

Usage: python tools/build_presets.py [AUTOEQ_DIR]   (default: daw_bridge/data/presets/autoeq-source)
"""

from __future__ import annotations

import sys
from pathlib import Path

from daw_bridge import shipped
from daw_bridge.presets.build import DEFAULT_AUTOEQ_DIR, build_shipped


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else DEFAULT_AUTOEQ_DIR
    for path in build_shipped(src, shipped.path("presets")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
