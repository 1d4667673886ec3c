-- @noindex
-- daw-bridge: what each shortcut script does. A script calls actions.main(reaper, "<action>", script_dir).
--
-- Local (instant, no controller needed): A/B toggle, next reference, crossfeed on/off, band solo off,
-- translation simulation off, clear our markers. They tell a running controller what changed (silently
-- skipped when none runs).
-- Need the controller (analysis or data only Python has: band edges, simulation curves, presets):
-- level-match now, bounce-and-check, next band solo, next simulation, next headphone preset. They write
-- an event; without a running controller the user gets a message and nothing is written.
local ab = require("lib.ab")
local config = require("lib.config")
local events = require("lib.events")
local monitor = require("lib.monitor")
local tracks = require("lib.tracks")

local M = {}

M.TITLE = "daw-bridge"

local function message(reaper, text)
  reaper.MB(text, M.TITLE, 0)
end

local function set_toggle(reaper, on)
  local _, _, section, cmd = reaper.get_action_context()
  if section and cmd and cmd > 0 then
    reaper.SetToggleCommandState(section, cmd, on and 1 or 0)
    reaper.RefreshToolbar2(section, cmd)
  end
end

--- Tell a running controller, silently doing nothing when none runs or there is no config.
local function tell(reaper, ctx, name, extra)
  if ctx.cfg then events.notify(ctx.cfg.bridge_dir, name, ctx.now, extra) end
end

--- Ask the controller to do `name`; message the user when it does not run.
local function ask(reaper, ctx, name)
  if not ctx.cfg then message(reaper, ctx.cfg_error); return nil, ctx.cfg_error end
  local path, err = events.notify(ctx.cfg.bridge_dir, name, ctx.now)
  if not path then message(reaper, err); return nil, err end
  return path
end

-- Switch our effect `kind` on (true), off (false) or over (nil) by its sliders, never by REAPER's bypass (abrupt):
-- the effect crossfades to and from its pass-through state itself. Only the crossfeed can be switched on here (its
-- "on" slider); band solo and simulation need the controller's data to turn on. An effect the user bypassed by
-- hand is enabled again when switched on (that one step is REAPER's, as abrupt as their bypass was).
-- Returns the new state, or nil and a message.
local function switch_fx(reaper, kind, want)
  local slot = monitor.find(reaper, kind)
  if not slot then
    if want == false then return false end
    local err
    slot, err = monitor.ensure(reaper, kind) -- added with its defaults: a pass-through, so adding is inaudible
    if not slot then return nil, err end
  end
  local master = reaper.GetMasterTrack(0)
  local fx = monitor.REC_FX + slot
  local enabled = reaper.TrackFX_GetEnabled(master, fx) and true or false
  local on = want
  if on == nil then
    local flag = monitor.ON[kind][1]
    local value = monitor.slider(reaper, slot, flag[1], flag[2])
    if value == nil then return nil, "monitoring FX " .. monitor.fx_name(kind) .. " has no slider " .. flag[1] end
    on = not (enabled and value >= 0.5)
  end
  local ok, err = monitor.set_sliders(reaper, slot, on and monitor.ON[kind] or monitor.OFF[kind])
  if not ok then return nil, err end
  if on and not enabled then reaper.TrackFX_SetEnabled(master, fx, true) end
  return on
end

M.ACTIONS = {
  ab_toggle = function(reaper, ctx)
    local current, err = ab.toggle(reaper)
    if not current then message(reaper, err); return nil, err end
    set_toggle(reaper, current ~= "mix")
    tell(reaper, ctx, "ab", { current = current })
    return current
  end,
  next_reference = function(reaper, ctx)
    local selected, state_or_err = ab.next_reference(reaper)
    if not selected then message(reaper, state_or_err); return nil, state_or_err end
    tell(reaper, ctx, "ab", { current = state_or_err.current, selected = selected })
    return selected
  end,
  match_now = function(reaper, ctx) return ask(reaper, ctx, "match") end,
  bounce_check = function(reaper, ctx) return ask(reaper, ctx, "check") end,
  next_preset = function(reaper, ctx) return ask(reaper, ctx, "preset_next") end,
  band_next = function(reaper, ctx) return ask(reaper, ctx, "band_next") end,
  simulation_next = function(reaper, ctx) return ask(reaper, ctx, "simulation_next") end,
  speakers_next = function(reaper, ctx) return ask(reaper, ctx, "speakers_next") end,
  crossfeed_toggle = function(reaper, ctx)
    local on, err = switch_fx(reaper, "crossfeed", nil)
    if on == nil then message(reaper, err); return nil, err end
    set_toggle(reaper, on)
    tell(reaper, ctx, "monitor", { kind = "crossfeed", enabled = on })
    return on
  end,
  band_off = function(reaper, ctx)
    local off, err = switch_fx(reaper, "bandsolo", false)
    if off == nil then message(reaper, err); return nil, err end
    tell(reaper, ctx, "band_off")
    return false
  end,
  simulation_off = function(reaper, ctx)
    local off, err = switch_fx(reaper, "simulation", false)
    if off == nil then message(reaper, err); return nil, err end
    tell(reaper, ctx, "simulation_off")
    return false
  end,
  clear_markers = function(reaper, ctx)
    reaper.Undo_BeginBlock2(0)
    local deleted = tracks.delete_ours(reaper)
    reaper.Undo_EndBlock2(0, "daw-bridge: clear markers", -1)
    reaper.UpdateArrange()
    tell(reaper, ctx, "markers_cleared", { deleted = deleted })
    return deleted
  end,
}

--- Run shortcut `name`. Never raises: unexpected errors become a message box.
-- `opts.now` (Unix s) and `opts.script_dir` are for tests; scripts pass their own folder.
function M.main(reaper, name, script_dir, opts)
  opts = opts or {}
  local ctx = { now = opts.now or os.time() }
  ctx.cfg, ctx.cfg_error = config.load(reaper, script_dir)
  local action = M.ACTIONS[name]
  if not action then
    message(reaper, "daw-bridge: unknown action " .. tostring(name))
    return nil
  end
  local ok, result, err = pcall(action, reaper, ctx)
  if not ok then
    message(reaper, "daw-bridge: " .. name .. " failed: " .. tostring(result))
    return nil, tostring(result)
  end
  return result, err
end

return M
