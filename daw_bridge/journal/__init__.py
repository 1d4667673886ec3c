"""The listening journal: learn your headphones from notes taken on familiar references (issue 19).

``schema`` (tables, migrations), ``store`` (the SQLite file), ``notes`` (what a note may say), ``stats`` (exact
tests), ``measured`` (deviation from target per band, from the AutoEq presets), ``patterns`` (what is consistent
across songs), ``review`` (text, HTML page, Markdown/CSV/JSON export), ``guided`` (the critical-listening checklist),
``context`` (reference, output and level now) and ``events`` (notes and steps from the REAPER shortcuts).
See docs/journal.md.
"""
