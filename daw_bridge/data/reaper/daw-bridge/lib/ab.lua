-- @noindex
-- daw-bridge: the level-matched mix <-> reference A/B, from the state the controller stores in the
-- project (no controller needed):
--   SetProjExtState(0, "daw_bridge", "ab_state", JSON)
--   {"mix": "MIX", "references": ["REF 1", "REF 2"], "gains_db": {"REF 1": -3.2},
--    "current": "mix" | "REF 1", "mode": "loudness", "selected": "REF 2"}
-- gains_db is the fader gain (dB) that matches each reference to the mix; "selected" (written by
-- "Next reference") is the reference the toggle goes to, default the first. Other fields are kept.
--
-- A switch is one pass with UI refresh held (PreventUIRefresh): the target's matched gain is set while
-- it is still muted, then every mute is written back to back with no other call in between, so the
-- change lands within one audio block; it is not an undo point.
local json = require("lib.json")
local tracks = require("lib.tracks")

local M = {}

M.SECTION = "daw_bridge"
M.KEY = "ab_state"
M.NO_STATE = "This project has no daw-bridge A/B set-up yet: start the controller (`daw-bridge serve`) and run "
  .. "\"daw-bridge: Level-match now\" once; the A/B keys then work without the controller."

--- The stored A/B state, or nil and a message.
function M.load(reaper)
  local n, text = reaper.GetProjExtState(0, M.SECTION, M.KEY)
  if not n or n == 0 or text == "" then return nil, M.NO_STATE end
  local state, err = json.decode(text)
  if type(state) ~= "table" then return nil, "daw-bridge ab_state in this project is not valid JSON (" .. tostring(err) .. ")" end
  if type(state.mix) ~= "string" or type(state.references) ~= "table" or #state.references == 0 then
    return nil, "daw-bridge ab_state needs \"mix\" and a non-empty \"references\" list"
  end
  for i, ref in ipairs(state.references) do
    if type(ref) ~= "string" then return nil, string.format("daw-bridge ab_state references[%d] is not a name", i) end
  end
  if type(state.gains_db) ~= "table" or state.gains_db == json.null then state.gains_db = json.object() end
  if type(state.current) ~= "string" then state.current = "mix" end
  return state
end

function M.save(reaper, state)
  reaper.SetProjExtState(0, M.SECTION, M.KEY, json.encode(state))
end

local function index_of(list, value)
  for i, v in ipairs(list) do if v == value then return i end end
  return nil
end

--- The reference the toggle goes to.
function M.selected(state)
  if type(state.selected) == "string" and index_of(state.references, state.selected) then return state.selected end
  if state.current ~= "mix" and index_of(state.references, state.current) then return state.current end
  return state.references[1]
end

--- Make `target` ("mix" or a reference name) the only audible source, level-matched. Returns true | nil, message.
function M.apply(reaper, state, target)
  local sources = { { name = state.mix, is_mix = true } }
  for _, ref in ipairs(state.references) do sources[#sources + 1] = { name = ref } end
  for _, s in ipairs(sources) do
    s.track = tracks.by_name(reaper, s.name)
    if not s.track then
      return nil, string.format("daw-bridge A/B: no track named %q in this project (ab_state lists it)", s.name)
    end
  end
  local target_name = (target == "mix") and state.mix or target
  local gain_db = state.gains_db[target]
  if target ~= "mix" and type(gain_db) ~= "number" then
    return nil, string.format("daw-bridge A/B: no matched gain stored for %q yet: run \"Level-match now\"", target)
  end
  reaper.PreventUIRefresh(1)
  for _, s in ipairs(sources) do
    if s.name == target_name and not s.is_mix then
      reaper.SetMediaTrackInfo_Value(s.track, "D_VOL", 10 ^ (gain_db / 20)) -- still muted: inaudible
    end
  end
  for _, s in ipairs(sources) do -- the switch itself: consecutive mute writes, nothing in between
    reaper.SetMediaTrackInfo_Value(s.track, "B_MUTE", (s.name == target_name) and 0 or 1)
  end
  reaper.PreventUIRefresh(-1)
  state.current = target
  return true
end

--- Toggle mix <-> selected reference. Returns the new current source | nil, message.
function M.toggle(reaper)
  local state, err = M.load(reaper)
  if not state then return nil, err end
  local target = (state.current == "mix") and M.selected(state) or "mix"
  local ok, aerr = M.apply(reaper, state, target)
  if not ok then return nil, aerr end
  M.save(reaper, state)
  return target, state
end

--- Select the next reference; when a reference is playing, switch to the next one at once.
function M.next_reference(reaper)
  local state, err = M.load(reaper)
  if not state then return nil, err end
  local i = index_of(state.references, M.selected(state)) or 0
  local nxt = state.references[i % #state.references + 1]
  state.selected = nxt
  if state.current ~= "mix" then
    local ok, aerr = M.apply(reaper, state, nxt)
    if not ok then return nil, aerr end
  end
  M.save(reaper, state)
  return nxt, state
end

return M
