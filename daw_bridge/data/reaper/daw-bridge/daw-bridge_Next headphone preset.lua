-- @description daw-bridge: Next headphone preset
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks the controller to load the next headphone correction preset
--   onto the monitoring chain. Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "next_preset", DIR)
