-- @description daw-bridge: Crossfeed on-off
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Turns the crossfeed effect on the monitoring chain on or off by its "on" slider
--   (a crossfade to and from a pass-through, never REAPER's abrupt bypass); adds it
--   when absent. Works without the controller.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "crossfeed_toggle", DIR)
reaper.defer(function() end) -- no automatic "ReaScript: Run" undo point: the switch is undo-free
