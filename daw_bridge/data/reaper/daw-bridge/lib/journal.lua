-- @noindex
-- daw-bridge: the listening journal's shortcuts (docs/journal.md).
--
-- "journal note at playhead": a GetUserInputs form (aspect, direction, strength, note) -> a tagged marker at
-- the position you are hearing, and a `journal_note` event the controller stores in the journal. A note taken
-- while the controller is not running stays in the mailbox and is stored when `daw-bridge serve` next runs.
-- "next checklist step": a `journal_step` event; the controller closes the step on show, solos the next
-- band when it is a band step, and writes the step into the project (daw_bridge/journal_step) so the form
-- shows its question and pre-fills its aspect.
local actions = require("lib.actions")
local events = require("lib.events")
local json = require("lib.json")

local M = {}

M.TITLE = "daw-bridge journal"
--- Journal markers carry their own tag, and are not recorded among the markers bounce-and-check writes
-- (lib/tracks.lua, by ID), so neither bounce-and-check nor "Clear markers" ever deletes a note.
M.MARKER_TAG = "[daw-bridge journal]"
M.ASPECTS = { "bass", "mids", "highs", "ambience", "stereo image", "depth", "overall level" }
M.DIRECTIONS = { less = -1, ["-"] = -1, ["as expected"] = 0, expected = 0, ["="] = 0, same = 0,
                 more = 1, ["+"] = 1 }
M.WORDS = { [-1] = "less", [0] = "as expected", [1] = "more" }
--- Marker colours (r, g, b): heard less blue, as expected grey, more orange (as on the review page).
M.COLORS = { [-1] = { 43, 123, 185 }, [0] = { 150, 150, 150 }, [1] = { 230, 126, 34 } }
--- GetUserInputs: captions are comma-separated; `separator=` picks the values' separator (a newline here, so
-- a note may hold commas) and `extrawidth=` widens the fields (REAPER's API help for GetUserInputs).
M.SEPARATOR = "\n"
M.CAPTIONS = "Aspect (bass/mids/highs/ambience/stereo image/depth/overall level),Direction (less/as expected/more),"
  .. "Strength (1 slight/2 clear/3 strong),Note,extrawidth=240,separator=" .. M.SEPARATOR
M.STEP_KEY = "journal_step"

local function trim(s) return (tostring(s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

--- The checklist step the controller showed last (a table), or nil.
function M.current_step(reaper)
  local n, text = reaper.GetProjExtState(0, "daw_bridge", M.STEP_KEY)
  if not n or n == 0 or text == "" then return nil end
  local ok, step = pcall(json.decode, text)
  if ok and type(step) == "table" and type(step.aspect) == "string" then return step end
  return nil
end

--- Where the listener is: the audible play position while playing or paused, else the edit cursor (s).
function M.position(reaper)
  if (reaper.GetPlayState() & 3) ~= 0 then return reaper.GetPlayPosition() end
  return reaper.GetCursorPosition()
end

--- Check the form's values. Returns a note table { aspect, direction, strength, text } or nil, message.
function M.parse(values, step)
  local aspect = trim(values[1]):lower()
  if aspect == "" and step then aspect = step.aspect end
  local known = false
  for _, a in ipairs(M.ASPECTS) do if a == aspect then known = true end end
  if not known then
    return nil, "Aspect '" .. aspect .. "' is not one of: " .. table.concat(M.ASPECTS, ", ")
  end
  local direction = M.DIRECTIONS[trim(values[2]):lower()]
  if direction == nil then return nil, "Direction must be less, as expected or more (or -, =, +)" end
  local strength = tonumber(trim(values[3]))
  if strength ~= 1 and strength ~= 2 and strength ~= 3 then
    return nil, "Strength must be 1 (slight), 2 (clear) or 3 (strong)"
  end
  local text = trim((values[4] or ""):gsub("[\r\n]+", " "))
  local band = nil
  if step and step.aspect == aspect and type(step.band) == "string" then band = step.band end
  return { aspect = aspect, direction = direction, strength = math.floor(strength), text = text, band = band }
end

--- The marker text of a note: "[daw-bridge journal] bass more (2): kick boomy".
function M.marker_name(note)
  local subject = note.band and (note.band .. " band") or note.aspect
  local name = string.format("%s %s %s (%d)", M.MARKER_TAG, subject, M.WORDS[note.direction], note.strength)
  if note.text ~= "" then name = name .. ": " .. note.text end
  return name
end

local function split(text, sep)
  local out = {}
  local start = 1
  while true do
    local i = text:find(sep, start, true)
    if not i then out[#out + 1] = text:sub(start); break end
    out[#out + 1] = text:sub(start, i - 1)
    start = i + #sep
  end
  return out
end

local function add_marker(reaper, position_s, note)
  local rgb = M.COLORS[note.direction]
  local color = reaper.ColorToNative(rgb[1], rgb[2], rgb[3]) | 0x1000000
  reaper.Undo_BeginBlock2(0)
  local number = reaper.AddProjectMarker2(0, false, position_s, 0, M.marker_name(note), -1, color)
  reaper.Undo_EndBlock2(0, "daw-bridge: journal note", -1)
  reaper.UpdateArrange()
  return number
end

M.ACTIONS = {
  --- Returns the event path (or nil, message). The form is shown again with the values kept when they do not check.
  note = function(reaper, ctx)
    if not ctx.cfg then reaper.MB(ctx.cfg_error, M.TITLE, 0); return nil, ctx.cfg_error end
    local position_s = M.position(reaper)
    local step = M.current_step(reaper)
    local title = M.TITLE
    if step and step.prompt then
      title = string.format("%s: step %s/%s %s", M.TITLE, tostring(step.number), tostring(step.total), step.prompt)
    end
    local defaults = table.concat({ step and step.aspect or "", "", "2", "" }, M.SEPARATOR)
    while true do
      local ok, csv = reaper.GetUserInputs(title, 4, M.CAPTIONS, defaults)
      if not ok then return nil, "cancelled" end
      local note, err = M.parse(split(csv, M.SEPARATOR), step)
      if note then
        local marker = add_marker(reaper, position_s, note)
        local extra = { aspect = note.aspect, direction = M.WORDS[note.direction], strength = note.strength,
                        text = note.text, position_s = position_s, marker = marker, band = note.band }
        local path, werr = events.write(ctx.cfg.bridge_dir, "journal_note", ctx.now, extra)
        if not path then reaper.MB(werr, M.TITLE, 0); return nil, werr end
        if not events.controller_alive(ctx.cfg.bridge_dir, ctx.now) then
          reaper.MB("Note marked. daw-bridge serve is not running: the note waits in the mailbox and goes into "
            .. "the journal when you start `daw-bridge serve`.", M.TITLE, 0)
        end
        return path
      end
      reaper.MB(err, M.TITLE, 0)
      defaults = csv
    end
  end,
  next_step = function(reaper, ctx)
    if not ctx.cfg then reaper.MB(ctx.cfg_error, M.TITLE, 0); return nil, ctx.cfg_error end
    local path, err = events.notify(ctx.cfg.bridge_dir, "journal_step", ctx.now)
    if not path then reaper.MB(err, M.TITLE, 0); return nil, err end
    return path
  end,
}

--- The journal shortcuts join the shortcut table, so lib/actions.main runs them like the others
-- (config, unknown names and unexpected errors handled in one place).
actions.ACTIONS.journal_note = M.ACTIONS.note
actions.ACTIONS.journal_step = M.ACTIONS.next_step

--- Run journal shortcut `name` ("journal_note" or "journal_step").
function M.main(reaper, name, script_dir, opts)
  return actions.main(reaper, name, script_dir, opts)
end

return M
