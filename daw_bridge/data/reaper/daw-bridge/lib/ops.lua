-- @noindex
-- daw-bridge: the whitelisted bridge operations (docs/bridge-protocol.md, "Operations").
--
-- Each op is { mutates = bool, check = function(args, ctx) -> spec, run = function(reaper, spec, ctx) -> result }.
-- `check` validates everything and raises validate.fail(...) before anything changes; `run` acts.
-- Nothing from a request is evaluated as code or passed to a shell.
local json = require("lib.json")
local mailbox = require("lib.mailbox")
local monitor = require("lib.monitor")
local paths = require("lib.paths")
local tracks = require("lib.tracks")
local v = require("lib.validate")

local M = {}
local OPS = {}
M.OPS = OPS

M.PROTOCOL = 1
M.RENDER_COMMAND = 42230 -- File: Render project, using the most recent render settings, auto-close render dialog
M.ACTION_LAST_TOUCHED = 40914 -- Track: Set first selected track as last touched track
M.MAX_MARKERS = 1000
M.STATE_SECTION = "daw_bridge"
local KEY_PATTERN = "^[A-Za-z0-9_]+$"
local KIND_PATTERN = "^[a-z][a-z0-9_]*$"

local function host(reaper)
  return "REAPER " .. tostring(reaper.GetAppVersion and reaper.GetAppVersion() or "?")
end

local function confined(path, field, ctx)
  if not paths.is_absolute(path) then v.fail("path_refused", field .. " must be an absolute path") end
  local norm = paths.confine(path, ctx.roots)
  if not norm then
    v.fail("path_refused", string.format("%s %s is outside the daw-bridge folders (%s)", field, path,
      table.concat(ctx.roots, ", ")))
  end
  return norm
end

local BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  return ((data:gsub(".", function(c)
    local byte, bits = c:byte(), ""
    for i = 8, 1, -1 do bits = bits .. ((byte >> (i - 1)) & 1) end
    return bits
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(bits)
    if #bits < 6 then return "" end
    local n = tonumber(bits, 2)
    return BASE64:sub(n + 1, n + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end
M.base64 = base64

--- REAPER's render-format string for a WAV sink of `bit_depth` bits.
function M.wav_format(bit_depth)
  return base64("evaw" .. string.char(bit_depth) .. "\0\0")
end

---------------------------------------------------------------------------------------------------
OPS.ping = {
  mutates = false,
  check = function(args) v.only_keys(args, {}, "args"); return {} end,
  run = function(reaper) return { host = host(reaper), protocol = M.PROTOCOL } end,
}

---------------------------------------------------------------------------------------------------
local STATE_KEYS = { "sample_rate", "length_s", "project_path", "markers", "monitor_fx", "time_selection" }

local state_readers = {
  sample_rate = function(reaper)
    if reaper.GetSetProjectInfo(0, "PROJECT_SRATE_USE", 0, false) ~= 0 then
      return math.tointeger(reaper.GetSetProjectInfo(0, "PROJECT_SRATE", 0, false))
    end
    local ok, rate = reaper.GetAudioDeviceInfo("SRATE")
    return ok and math.tointeger(tonumber(rate)) or json.null
  end,
  length_s = function(reaper) return reaper.GetProjectLength(0) + 0.0 end,
  project_path = function(reaper)
    local _, path = reaper.EnumProjects(-1)
    return (path and path ~= "") and path or json.null
  end,
  markers = function(reaper)
    local out = json.array()
    for _, m in ipairs(tracks.markers(reaper)) do
      out[#out + 1] = { number = m.number, time_s = m.time_s + 0.0,
                        end_s = m.end_s and (m.end_s + 0.0) or json.null, name = m.name,
                        color = tracks.color_hex(reaper, m.color_native) or json.null, ours = m.ours,
                        id = m.guid or json.null }
    end
    return out
  end,
  monitor_fx = function(reaper)
    local out = json.array()
    for _, fx in ipairs(monitor.list(reaper)) do
      out[#out + 1] = { index = fx.index, name = fx.name, enabled = fx.enabled }
      if monitor.is_kind(fx.name, "ceiling") then -- the safety ceiling's meter: is it acting?
        out[#out].reduction_db = monitor.ceiling_reduction_db(reaper, fx.slot)
      end
    end
    return out
  end,
  time_selection = function(reaper)
    local s, e = reaper.GetSet_LoopTimeRange2(0, false, false, 0, 0, false)
    if not s or not e or e <= s then return json.null end
    return { start_s = s + 0.0, end_s = e + 0.0 }
  end,
}

OPS.get_state = {
  mutates = false,
  check = function(args)
    v.only_keys(args, { "keys" }, "args")
    local keys = v.optional(args.keys, STATE_KEYS, v.array, "args.keys", 16)
    for i, key in ipairs(keys) do
      v.string(key, "args.keys[" .. i .. "]")
      if not state_readers[key] then
        v.fail("bad_args", string.format("args.keys[%d] %q is not one of %s", i, key, table.concat(STATE_KEYS, ", ")))
      end
    end
    return { keys = keys }
  end,
  run = function(reaper, spec)
    local out = {}
    for _, key in ipairs(spec.keys) do out[key] = state_readers[key](reaper) end
    return out
  end,
}

---------------------------------------------------------------------------------------------------
local function check_markers(list)
  v.array(list, "args.markers", M.MAX_MARKERS)
  local out = {}
  for i, m in ipairs(list) do
    local f = "args.markers[" .. i .. "]"
    v.object(m, f)
    v.only_keys(m, { "time_s", "end_s", "name", "color" }, f)
    local spec = { time_s = v.number(m.time_s, f .. ".time_s", 0) }
    spec.end_s = v.optional(m.end_s, nil, v.number, f .. ".end_s", spec.time_s)
    spec.name = v.string(m.name, f .. ".name", 200)
    if not v.is_null(m.color) then spec.r, spec.g, spec.b = v.color(m.color, f .. ".color") end
    out[i] = spec
  end
  return out
end

local function add_markers(reaper, specs, owned)
  for _, m in ipairs(specs) do
    local color = 0
    if m.r then color = reaper.ColorToNative(m.r, m.g, m.b) | 0x1000000 end
    local name = m.name:sub(1, #tracks.MARKER_TAG) == tracks.MARKER_TAG and m.name or (tracks.MARKER_TAG .. " " .. m.name)
    tracks.add_ours(reaper, owned, m.end_s ~= nil, m.time_s, m.end_s or 0, name, color)
  end
  tracks.save_owned(reaper, owned)
end

OPS.replace_markers = {
  mutates = true,
  check = function(args)
    v.only_keys(args, { "markers" }, "args")
    return { markers = check_markers(args.markers) }
  end,
  run = function(reaper, spec)
    local deleted, owned = tracks.delete_ours(reaper)
    add_markers(reaper, spec.markers, owned)
    return { deleted = deleted, added = #spec.markers }
  end,
}

OPS.clear_markers = {
  mutates = true,
  check = function(args) v.only_keys(args, {}, "args"); return {} end,
  run = function(reaper) return { deleted = (tracks.delete_ours(reaper)) } end,
}

---------------------------------------------------------------------------------------------------
local RENDER_STRINGS = { "RENDER_FILE", "RENDER_PATTERN", "RENDER_FORMAT", "RENDER_FORMAT2" }
local RENDER_NUMBERS = { "RENDER_SETTINGS", "RENDER_BOUNDSFLAG", "RENDER_SRATE", "RENDER_CHANNELS",
                         "RENDER_STARTPOS", "RENDER_ENDPOS", "RENDER_ADDTOPROJ" }

local function save_render_settings(reaper)
  local saved = { strings = {}, numbers = {} }
  for _, k in ipairs(RENDER_STRINGS) do saved.strings[k] = select(2, reaper.GetSetProjectInfo_String(0, k, "", false)) end
  for _, k in ipairs(RENDER_NUMBERS) do saved.numbers[k] = reaper.GetSetProjectInfo(0, k, 0, false) end
  return saved
end

local function restore_render_settings(reaper, saved)
  for k, val in pairs(saved.strings) do reaper.GetSetProjectInfo_String(0, k, val or "", true) end
  for k, val in pairs(saved.numbers) do reaper.GetSetProjectInfo(0, k, val, true) end
end

OPS.render = {
  mutates = true,
  shows_ui = true, -- REAPER shows its render progress window: do not freeze UI refresh around it
  check = function(args, ctx)
    v.only_keys(args, { "directory", "file_name", "sample_rate", "channels", "bit_depth", "start_s", "end_s" }, "args")
    local spec = {}
    spec.directory = confined(v.string(args.directory, "args.directory", 4096), "args.directory", ctx)
    spec.file_name = v.string(args.file_name, "args.file_name", 200, "%.[wW][aA][vV]$")
    if not paths.is_plain_name(spec.file_name) then v.fail("bad_args", "args.file_name must be a plain file name") end
    spec.sample_rate = v.optional(args.sample_rate, nil, v.integer, "args.sample_rate",
      { 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000 })
    spec.channels = v.optional(args.channels, 2, v.integer, "args.channels", { 1, 2 })
    spec.bit_depth = v.optional(args.bit_depth, 24, v.integer, "args.bit_depth", { 16, 24, 32 })
    spec.start_s = v.optional(args.start_s, nil, v.number, "args.start_s", 0)
    spec.end_s = v.optional(args.end_s, nil, v.number, "args.end_s", (spec.start_s or 0))
    if (spec.start_s == nil) ~= (spec.end_s == nil) then
      v.fail("bad_args", "args.start_s and args.end_s must be given together (or both null for the whole project)")
    end
    if spec.start_s and spec.end_s <= spec.start_s then v.fail("bad_args", "args.end_s must be > args.start_s") end
    spec.path = paths.join(spec.directory, spec.file_name)
    if mailbox.exists(spec.path) then v.fail("exists", spec.path .. " already exists; daw-bridge never overwrites a render") end
    return spec
  end,
  run = function(reaper, spec)
    local saved = save_render_settings(reaper)
    local ok, result = pcall(function()
      reaper.GetSetProjectInfo_String(0, "RENDER_FILE", spec.directory, true)
      reaper.GetSetProjectInfo_String(0, "RENDER_PATTERN", (spec.file_name:gsub("%.[wW][aA][vV]$", "")), true)
      reaper.GetSetProjectInfo_String(0, "RENDER_FORMAT", M.wav_format(spec.bit_depth), true)
      reaper.GetSetProjectInfo_String(0, "RENDER_FORMAT2", "", true) -- no secondary file (the user's comes back)
      reaper.GetSetProjectInfo(0, "RENDER_SETTINGS", 0, true) -- master mix
      reaper.GetSetProjectInfo(0, "RENDER_ADDTOPROJ", 0, true)
      reaper.GetSetProjectInfo(0, "RENDER_CHANNELS", spec.channels, true)
      if spec.sample_rate then reaper.GetSetProjectInfo(0, "RENDER_SRATE", spec.sample_rate, true) end
      if spec.start_s then
        reaper.GetSetProjectInfo(0, "RENDER_BOUNDSFLAG", 0, true) -- custom time bounds
        reaper.GetSetProjectInfo(0, "RENDER_STARTPOS", spec.start_s, true)
        reaper.GetSetProjectInfo(0, "RENDER_ENDPOS", spec.end_s, true)
      else
        reaper.GetSetProjectInfo(0, "RENDER_BOUNDSFLAG", 1, true) -- entire project
      end
      reaper.Main_OnCommand(M.RENDER_COMMAND, 0)
      local files = json.array()
      local _, targets = reaper.GetSetProjectInfo_String(0, "RENDER_TARGETS", "", false)
      for target in (targets or ""):gmatch("[^;]+") do
        if mailbox.exists(target) then files[#files + 1] = target end
      end
      if #files == 0 and mailbox.exists(spec.path) then files[1] = spec.path end
      if #files == 0 then
        v.fail("render_failed", "REAPER wrote no file (expected " .. spec.path .. "): was the render cancelled?")
      end
      local duration = spec.start_s and (spec.end_s - spec.start_s) or reaper.GetProjectLength(0)
      return { files = files, duration_s = duration + 0.0 }
    end)
    restore_render_settings(reaper, saved)
    if not ok then error(result, 0) end
    return result
  end,
}

---------------------------------------------------------------------------------------------------
local function check_chain(list)
  v.array(list, "args.chain", 16)
  local out, seen = {}, {}
  for i, entry in ipairs(list) do
    local f = "args.chain[" .. i .. "]"
    v.object(entry, f)
    v.only_keys(entry, { "kind", "enabled", "params", "labels" }, f)
    local kind = v.string(entry.kind, f .. ".kind", 40, KIND_PATTERN)
    if seen[kind] then v.fail("bad_args", f .. ".kind " .. kind .. " appears twice") end
    seen[kind] = true
    local spec = { kind = kind, enabled = v.optional(entry.enabled, true, v.boolean, f .. ".enabled"), params = {} }
    local params = v.optional(entry.params, {}, v.object, f .. ".params")
    -- labels: slider name -> its description, which is what REAPER reports as the parameter name
    local labels = v.optional(entry.labels, {}, v.object, f .. ".labels")
    for name, label in pairs(labels) do v.string(label, f .. ".labels." .. tostring(name), 200) end
    local names = {}
    for name in pairs(params) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do
      local value, pf = params[name], f .. ".params." .. name
      if type(value) == "boolean" then value = value and 1 or 0
      elseif type(value) == "string" then v.string(value, pf, 100)
      else v.number(value, pf) end
      spec.params[#spec.params + 1] = { name = name, label = labels[name], value = value, field = pf }
    end
    out[i] = spec
  end
  return out
end

OPS.set_monitor_chain = {
  mutates = true,
  check = function(args)
    v.only_keys(args, { "chain" }, "args")
    return { chain = check_chain(args.chain) }
  end,
  run = function(reaper, spec)
    local master = reaper.GetMasterTrack(0)
    local added = {}
    local function rollback()
      table.sort(added, function(a, b) return a > b end)
      for _, slot in ipairs(added) do monitor.remove(reaper, slot) end
    end
    -- resolve: add missing effects and look every parameter up by name before changing any value
    for _, entry in ipairs(spec.chain) do
      local slot, added_or_err = monitor.ensure(reaper, entry.kind)
      if not slot then rollback(); v.fail("fx_missing", added_or_err) end
      if added_or_err then added[#added + 1] = slot end
      for _, p in ipairs(entry.params) do
        p.index = monitor.param_index(reaper, slot, p.name, p.label)
        if not p.index then
          rollback()
          v.fail("bad_args", string.format("%s: %s has no slider named %q", p.field, monitor.fx_name(entry.kind), p.name))
        end
        if type(p.value) == "string" then
          local value = monitor.value_for_label(reaper, slot, p.index, p.value)
          if not value then
            rollback()
            v.fail("bad_args", string.format("%s: %q is not a value of slider %s", p.field, p.value, p.name))
          end
          p.number = value
        else
          p.number = p.value
        end
      end
    end
    local kinds = {}
    for i, entry in ipairs(spec.chain) do kinds[i] = entry.kind end
    monitor.order(reaper, kinds)
    for _, entry in ipairs(spec.chain) do
      local fx = monitor.REC_FX + monitor.find(reaper, entry.kind)
      for _, p in ipairs(entry.params) do reaper.TrackFX_SetParam(master, fx, p.index, p.number) end
      -- the controller keeps the effects it switches by parameters enabled (their off crossfades); the bypass
      -- is written only when it changes (a hand bypass is undone by the next apply)
      if (reaper.TrackFX_GetEnabled(master, fx) and true or false) ~= entry.enabled then
        reaper.TrackFX_SetEnabled(master, fx, entry.enabled)
      end
    end
    return { fx = state_readers.monitor_fx(reaper) }
  end,
}

---------------------------------------------------------------------------------------------------
-- Place the named track's first item so that its source's time 0 sits at offset_s on the timeline:
-- offset_s >= 0 moves the item right; offset_s < 0 keeps it at 0 and skips -offset_s of the source
-- (take start offset). Used to align a reference to the mix.
OPS.align_item = {
  mutates = true,
  check = function(args, _ctx)
    v.only_keys(args, { "track_name", "offset_s" }, "args")
    local spec = {
      track_name = v.string(args.track_name, "args.track_name", 200),
      offset_s = v.number(args.offset_s, "args.offset_s"),
    }
    if math.abs(spec.offset_s) > 600 then v.fail("bad_args", "args.offset_s must be within +-600 s") end
    return spec
  end,
  run = function(reaper, spec)
    local track, number = tracks.by_name(reaper, spec.track_name)
    if not track then v.fail("not_found", "no track named " .. spec.track_name) end
    if reaper.CountTrackMediaItems(track) < 1 then v.fail("not_found", "track " .. spec.track_name .. " has no item") end
    local item = reaper.GetTrackMediaItem(track, 0)
    local take = reaper.GetActiveTake(item)
    if not take then v.fail("not_found", "the item on " .. spec.track_name .. " has no take") end
    local old_start = reaper.GetMediaItemTakeInfo_Value(take, "D_STARTOFFS")
    local source_len = reaper.GetMediaItemInfo_Value(item, "D_LENGTH") + old_start
    local start = spec.offset_s < 0 and -spec.offset_s or 0.0
    if start >= source_len then v.fail("bad_args", "args.offset_s skips the whole item") end
    reaper.SetMediaItemTakeInfo_Value(take, "D_STARTOFFS", start)
    reaper.SetMediaItemInfo_Value(item, "D_POSITION", spec.offset_s > 0 and spec.offset_s or 0.0)
    reaper.SetMediaItemInfo_Value(item, "D_LENGTH", source_len - start)
    reaper.UpdateArrange()
    return { track = number, offset_s = spec.offset_s }
  end,
}

---------------------------------------------------------------------------------------------------
OPS.insert_media = {
  mutates = true,
  check = function(args, ctx)
    v.only_keys(args, { "track_name", "path", "position_s" }, "args")
    local spec = {
      track_name = v.string(args.track_name, "args.track_name", 200),
      path = confined(v.string(args.path, "args.path", 4096), "args.path", ctx),
      position_s = v.optional(args.position_s, 0.0, v.number, "args.position_s", 0),
    }
    if spec.track_name == "" then v.fail("bad_args", "args.track_name must not be empty") end
    if not mailbox.exists(spec.path) then v.fail("not_found", "args.path " .. spec.path .. " does not exist") end
    return spec
  end,
  run = function(reaper, spec)
    local track, number = tracks.by_name(reaper, spec.track_name)
    if not track then
      local count = reaper.CountTracks(0)
      reaper.InsertTrackAtIndex(count, true)
      track, number = reaper.GetTrack(0, count), count + 1
      reaper.GetSetMediaTrackInfo_String(track, "P_NAME", spec.track_name, true)
    end
    local cursor = reaper.GetCursorPosition()
    reaper.SetOnlyTrackSelected(track)
    -- InsertMedia mode 0 adds to the *last touched* track, which selecting does not change: make the track we
    -- just selected the last touched one (action 40914), or the file may land on whatever the user touched last.
    reaper.Main_OnCommand(M.ACTION_LAST_TOUCHED, 0)
    reaper.SetEditCurPos(spec.position_s, false, false)
    reaper.InsertMedia(spec.path, 0) -- 0: add to the last touched track at the edit cursor
    reaper.SetEditCurPos(cursor, false, false)
    return { track = number }
  end,
}

---------------------------------------------------------------------------------------------------
OPS.set_project_state = {
  mutates = true,
  check = function(args)
    v.only_keys(args, { "key", "value" }, "args")
    return { key = v.string(args.key, "args.key", 64, KEY_PATTERN), value = v.string(args.value, "args.value", 262144) }
  end,
  run = function(reaper, spec)
    reaper.SetProjExtState(0, M.STATE_SECTION, spec.key, spec.value)
    return json.object()
  end,
}

OPS.get_project_state = {
  mutates = false,
  check = function(args)
    v.only_keys(args, { "key" }, "args")
    return { key = v.string(args.key, "args.key", 64, KEY_PATTERN) }
  end,
  run = function(reaper, spec)
    local n, value = reaper.GetProjExtState(0, M.STATE_SECTION, spec.key)
    if not n or n == 0 then return { value = json.null } end
    return { value = value }
  end,
}

--- Names of every operation, sorted (the whitelist).
function M.names()
  local out = {}
  for name in pairs(OPS) do out[#out + 1] = name end
  table.sort(out)
  return out
end

return M
