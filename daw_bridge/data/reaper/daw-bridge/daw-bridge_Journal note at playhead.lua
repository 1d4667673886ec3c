-- @description daw-bridge: Journal note at playhead
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks what you hear (aspect, less / as expected / more, strength 1-3, a few words),
--   puts a tagged marker where you are listening and stores the note in your listening
--   journal through `daw-bridge serve` (kept in the mailbox until it runs).
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/journal.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.journal").main(reaper, "journal_note", DIR)
