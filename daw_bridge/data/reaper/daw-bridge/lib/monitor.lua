-- @noindex
-- daw-bridge: our JSFX on the master's monitoring FX chain.
--
-- Monitoring FX are the master track's "record FX": addressed as 0x1000000 + index (0-based),
-- counted with TrackFX_GetRecCount. They never reach a render. Our effects are the JSFX whose
-- desc is "daw-bridge/<kind>" (REAPER shows them as "JS: daw-bridge/<kind>"); parameters are found
-- with TrackFX_GetParamName by their description (or variable name), so nothing depends on slider order.
local M = {}

M.REC_FX = 0x1000000

--- The REAPER FX name of our effect `kind`.
function M.fx_name(kind)
  return "JS: daw-bridge/" .. kind
end

--- The file of our effect `kind`, relative to REAPER's Effects folder (fallback for AddByName).
function M.fx_file(kind)
  return "daw-bridge/daw-bridge_" .. kind .. ".jsfx"
end

local function matches_kind(name, kind)
  local tail = "daw-bridge/" .. kind
  return name == M.fx_name(kind) or name == tail or name:sub(-#tail - 1) == " " .. tail
    or name:sub(-#tail - 1) == ":" .. tail or name:find("daw%-bridge_" .. kind:gsub("%p", "%%%0") .. "%.jsfx") ~= nil
end

--- Every monitoring FX: { {index = 1-based, slot = 0-based, name, enabled}, ... }.
function M.list(reaper)
  local master = reaper.GetMasterTrack(0)
  local out = {}
  for slot = 0, reaper.TrackFX_GetRecCount(master) - 1 do
    local _, name = reaper.TrackFX_GetFXName(master, M.REC_FX + slot)
    out[#out + 1] = { index = slot + 1, slot = slot, name = name or "",
                      enabled = reaper.TrackFX_GetEnabled(master, M.REC_FX + slot) and true or false }
  end
  return out
end

--- 0-based monitoring slot of our effect `kind`, or nil.
function M.find(reaper, kind)
  for _, fx in ipairs(M.list(reaper)) do
    if matches_kind(fx.name, kind) then return fx.slot end
  end
  return nil
end

--- Add our effect `kind` at the end of the monitoring chain; returns its 0-based slot or nil.
function M.add(reaper, kind)
  local master = reaper.GetMasterTrack(0)
  for _, name in ipairs({ M.fx_name(kind), "JS:" .. M.fx_file(kind) }) do
    local idx = reaper.TrackFX_AddByName(master, name, true, -1) -- negative: always create
    if idx and idx >= 0 then
      if idx >= M.REC_FX then idx = idx - M.REC_FX end
      return idx
    end
  end
  return nil
end

--- 0-based slot of `kind`, adding it when absent. Returns slot, added | nil, message.
function M.ensure(reaper, kind)
  local slot = M.find(reaper, kind)
  if slot then return slot, false end
  slot = M.add(reaper, kind)
  if not slot then
    return nil, string.format("cannot add %s to the monitoring chain: is daw-bridge_%s.jsfx installed "
      .. "in REAPER's Effects/daw-bridge folder (`daw-bridge reaper install`)?", M.fx_name(kind), kind)
  end
  return slot, true
end

--- Parameter index of the slider called `name` on monitoring `slot`, or nil. REAPER reports a JSFX
-- slider's description ("Band 1 frequency (Hz)") as the parameter name, so `label` (that description,
-- sent by the controller) is matched as well as the variable name; both case-insensitive.
function M.param_index(reaper, slot, name, label)
  local master = reaper.GetMasterTrack(0)
  local wanted, wanted_label = name:lower(), label and label:lower() or nil
  for p = 0, reaper.TrackFX_GetNumParams(master, M.REC_FX + slot) - 1 do
    local _, pname = reaper.TrackFX_GetParamName(master, M.REC_FX + slot, p)
    if pname then
      pname = pname:lower()
      if pname == wanted or pname == wanted_label then return p end
    end
  end
  return nil
end

--- The slider value whose display text is `label` (enum sliders), or nil.
function M.value_for_label(reaper, slot, param, label)
  local master = reaper.GetMasterTrack(0)
  local _, minval, maxval = reaper.TrackFX_GetParam(master, M.REC_FX + slot, param)
  if not minval or not maxval or maxval - minval > 1000 then return nil end
  local wanted = label:lower()
  for v = math.ceil(minval), math.floor(maxval) do
    local ok, text = reaper.TrackFX_FormatParamValue(master, M.REC_FX + slot, param, v)
    if ok and text and text:lower() == wanted then return v end
  end
  return nil
end

--- Move monitoring FX so the given kinds sit in this order, as one block where the first of them is.
-- Only backward moves (TrackFX_CopyToTrack with is_move), whose destination index is unambiguous.
function M.order(reaper, kinds)
  local master = reaper.GetMasterTrack(0)
  local slots = {}
  for i, kind in ipairs(kinds) do slots[i] = M.find(reaper, kind) end
  local first = math.huge
  for _, s in pairs(slots) do if s < first then first = s end end
  if first == math.huge then return end
  local target = first
  for _, kind in ipairs(kinds) do
    local slot = M.find(reaper, kind)
    if slot then
      if slot > target then
        reaper.TrackFX_CopyToTrack(master, M.REC_FX + slot, master, M.REC_FX + target, true)
      end
      target = target + 1
    end
  end
end

--- Sliders that switch our effect `kind` off without REAPER's bypass (which is abrupt): each is
-- { variable, description, value }. Off is a pass-through the effect reaches by its own crossfade (settle 10 ms,
-- fade 30 ms), as daw_bridge/dsp/params.py NEUTRAL and the slider defaults say (tests/test_lua_switching.py checks
-- these against the Python side). ON holds what switches an effect back on where a slider does it.
local OUTPUT_GAIN = "Output gain (loudness compensation) (dB)"
M.OFF = {
  crossfeed = { { "on", "Crossfeed on, off = pass-through", 0 } },
  bandsolo = { { "low_hz", "Band low edge, 0 = none (Hz)", 0 }, { "high_hz", "Band high edge, 0 = none (Hz)", 0 },
               { "gain_db", OUTPUT_GAIN, 0 } },
  simulation = { { "width", "Stereo width, 0 = mono sum (ratio)", 1 }, { "gain_db", OUTPUT_GAIN, 0 } },
}
for i = 1, 8 do
  table.insert(M.OFF.simulation, { "band" .. i .. "_type", "Band " .. i .. " type", 0 })
end
M.ON = { crossfeed = { { "on", "Crossfeed on, off = pass-through", 1 } } }

--- Set sliders { {variable, description, value}, ... } on monitoring `slot`: every one is looked up before any
-- is written. Returns true, or nil and a message naming the missing slider.
function M.set_sliders(reaper, slot, list)
  local master = reaper.GetMasterTrack(0)
  local index = {}
  for i, s in ipairs(list) do
    index[i] = M.param_index(reaper, slot, s[1], s[2])
    if not index[i] then
      return nil, string.format("monitoring FX %d has no slider %q (%s): update daw-bridge's effects "
        .. "(`daw-bridge reaper install`)", slot + 1, s[2], s[1])
    end
  end
  for i, s in ipairs(list) do reaper.TrackFX_SetParam(master, M.REC_FX + slot, index[i], s[3]) end
  return true
end

--- The value of slider `name` (description `label`) on monitoring `slot`, or nil when it has none.
function M.slider(reaper, slot, name, label)
  local p = M.param_index(reaper, slot, name, label)
  if not p then return nil end
  return tonumber((reaper.TrackFX_GetParam(reaper.GetMasterTrack(0), M.REC_FX + slot, p)))
end

--- The safety ceiling's gain-reduction meter (dB) on monitoring `slot`, or nil when it has none.
function M.ceiling_reduction_db(reaper, slot)
  local p = M.param_index(reaper, slot, "reduction_db", "Gain reduction, meter (dB)")
  if not p then return nil end
  local value = reaper.TrackFX_GetParam(reaper.GetMasterTrack(0), M.REC_FX + slot, p)
  return tonumber(value)
end

--- Whether monitoring FX `name` is our effect `kind`.
function M.is_kind(name, kind)
  return matches_kind(name, kind)
end

--- Remove monitoring `slot` (used to roll back an effect we just added).
function M.remove(reaper, slot)
  reaper.TrackFX_Delete(reaper.GetMasterTrack(0), M.REC_FX + slot)
end

return M
