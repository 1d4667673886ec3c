-- @description daw-bridge: Toggle mix and reference (A-B)
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Switches between the mix and the selected reference, level-matched,
--   in one step (all mutes written back to back in one pass). Works without the controller:
--   the matched gains are stored in the project. Shows on/off on a toolbar button.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "ab_toggle", DIR)
reaper.defer(function() end) -- no automatic "ReaScript: Run" undo point: the switch is undo-free
