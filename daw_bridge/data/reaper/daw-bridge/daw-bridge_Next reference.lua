-- @description daw-bridge: Next reference
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Selects the next reference for the A/B toggle; when a reference is playing,
--   switches to the next one at once, level-matched. Works without the controller.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "next_reference", DIR)
reaper.defer(function() end) -- no automatic "ReaScript: Run" undo point: the switch is undo-free
