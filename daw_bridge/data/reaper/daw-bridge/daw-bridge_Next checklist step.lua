-- @description daw-bridge: Next checklist step
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Moves the guided critical-listening checklist on: the controller shows the next
--   question (aspect by aspect, then each of the seven bands soloed on the monitoring
--   chain). Answer with "Journal note at playhead". Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/journal.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.journal").main(reaper, "journal_step", DIR)
