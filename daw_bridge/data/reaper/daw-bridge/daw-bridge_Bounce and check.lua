-- @description daw-bridge: Bounce and check
-- @version 0.1.0
-- @author daw-bridge contributors
-- @noindex
-- @about
--   Asks the controller to render the mix, compare it with the references
--   and put coloured markers where it deviates. Needs `daw-bridge serve`.
--
--   Part of the "daw-bridge: REAPER side" package (daw-bridge_Bridge.lua); see docs/reaper.md.

local DIR = debug.getinfo(1, "S").source:match("^@?(.*[/\\])") or ""
package.path = DIR .. "?.lua;" .. package.path
require("lib.actions").main(reaper, "bounce_check", DIR)
