-- A stand-in for REAPER's `reaper` table, following the documented ReaScript API
-- (reaper_plugin_functions.h / the ReaScript docs): same function names, argument orders and
-- multiple return values. It keeps a small project model and records every call in `mock.calls`.
-- Calling an API function the stand-in does not know raises, so misspelt names fail tests.
local lfs = require("lfs")

local REC_FX = 0x1000000
local M = {}

--- A fresh stand-in. `opts.fx_catalog` maps FX names ("JS: daw-bridge/crossfeed") to
-- { params = { {name=, min=, max=, value=, labels={...}} ... } }; `opts.resource_path`; `opts.script`.
function M.new(opts)
  opts = opts or {}
  local mock = {
    calls = {},
    messages = {},          -- MB texts
    console = {},           -- ShowConsoleMsg texts
    proj_ext = {},          -- [section][key] = value
    ext = {},
    project = { srate = 48000, srate_use = 1, length_s = 120.0, path = "/home/u/song.rpp" },
    project_info = {},
    tracks = {},            -- { name=, mute=0, vol=1.0, selected=false, items={} }
    last_touched = nil,     -- REAPER's "last touched" track: separate from the selection (see InsertMedia)
    master = { name = "MASTER", mute = 0, vol = 1.0, rec_fx = {} },
    markers = {},           -- { isrgn, pos, rgnend, name, number, color, guid }
    absent = {},            -- API names this REAPER lacks (reaper.X is nil), e.g. 7.62's marker API on a 7.22
    cursor_s = 0.0,
    loop = { 0.0, 0.0 },
    undo = { depth = 0, points = {} },
    ui_freeze = 0,
    toggles = {},
    refreshed_toolbars = {},
    fx_catalog = opts.fx_catalog or {},
    resource_path = opts.resource_path or "/tmp/reaper-resource",
    script = opts.script or { filename = "/tmp/script.lua", section = 0, cmd = 55001 },
    render_writes = true,   -- Main_OnCommand(42230) writes the render target(s)
    app_version = "7.22/linux-x86_64",
  }
  local impl = {}
  local render_targets

  local function track_name(tr) return tr.name or "" end
  local function find_marker_number(isrgn)
    local n = 1
    local used = {}
    for _, m in ipairs(mock.markers) do if m.isrgn == isrgn then used[m.number] = true end end
    while used[n] do n = n + 1 end
    return n
  end
  local function sort_markers()
    table.sort(mock.markers, function(a, b)
      if a.pos ~= b.pos then return a.pos < b.pos end
      return (a.isrgn and 1 or 0) < (b.isrgn and 1 or 0)
    end)
  end
  local function fx_of(track, idx)
    if track ~= mock.master or idx < REC_FX then error("mock: only master monitoring FX are modelled") end
    return track.rec_fx[idx - REC_FX + 1]
  end

  -- application, files, state -------------------------------------------------------------------
  function impl.GetAppVersion() return mock.app_version end
  function impl.GetResourcePath() return mock.resource_path end
  function impl.get_action_context()
    local s = mock.script
    return false, s.filename, s.section, s.cmd, 0, 0, 0, ""
  end
  -- REAPER caches a directory's listing: files created after the first call stay invisible until the
  -- script calls EnumerateFiles(path, -1), which re-reads it (and returns nil).
  local listings = {}
  function impl.EnumerateFiles(path, index)
    if index < 0 then listings[path] = nil; return nil end
    if not listings[path] then
      local names = {}
      local ok = pcall(function()
        for name in lfs.dir(path) do
          if name ~= "." and name ~= ".." and lfs.attributes(path .. "/" .. name, "mode") == "file" then
            names[#names + 1] = name
          end
        end
      end)
      if not ok then return nil end
      table.sort(names)
      listings[path] = names
    end
    return listings[path][index + 1]
  end
  function impl.RecursiveCreateDirectory(path, _ignored)
    local sofar = ""
    for part in path:gmatch("[^/]+") do
      sofar = sofar .. "/" .. part
      if not lfs.attributes(sofar) then lfs.mkdir(sofar) end
    end
    return 1
  end
  function impl.SetProjExtState(_proj, section, key, value)
    mock.proj_ext[section] = mock.proj_ext[section] or {}
    mock.proj_ext[section][key] = (value ~= "") and value or nil
    return 1
  end
  function impl.GetProjExtState(_proj, section, key)
    local value = (mock.proj_ext[section] or {})[key]
    if value == nil then return 0, "" end
    return #value, value
  end
  function impl.SetExtState(section, key, value, _persist) mock.ext[section .. "/" .. key] = value end
  function impl.GetExtState(section, key) return mock.ext[section .. "/" .. key] or "" end
  function impl.MB(msg, title, kind) mock.messages[#mock.messages + 1] = msg; return 1 end
  function impl.ShowConsoleMsg(msg) mock.console[#mock.console + 1] = msg end
  function impl.SetToggleCommandState(section, cmd, state) mock.toggles[section .. ":" .. cmd] = state; return true end
  function impl.RefreshToolbar2(section, cmd) mock.refreshed_toolbars[#mock.refreshed_toolbars + 1] = section .. ":" .. cmd end
  function impl.PreventUIRefresh(n) mock.ui_freeze = mock.ui_freeze + n end
  function impl.UpdateArrange() end
  function impl.Undo_BeginBlock2(_proj) mock.undo.depth = mock.undo.depth + 1 end
  function impl.Undo_EndBlock2(_proj, desc, _flags)
    mock.undo.depth = mock.undo.depth - 1
    mock.undo.points[#mock.undo.points + 1] = desc
  end

  -- project ---------------------------------------------------------------------------------------
  function impl.GetSetProjectInfo(_proj, desc, value, is_set)
    if desc == "PROJECT_SRATE" then return mock.project.srate end
    if desc == "PROJECT_SRATE_USE" then return mock.project.srate_use end
    if is_set then mock.project_info[desc] = value end
    return mock.project_info[desc] or 0
  end
  function impl.GetSetProjectInfo_String(_proj, desc, value, is_set)
    if desc == "RENDER_TARGETS" then return true, table.concat(render_targets(), ";") end
    if is_set then mock.project_info[desc] = value; return true, value end
    return true, mock.project_info[desc] or ""
  end
  -- The files a render would write, as REAPER expands them: RENDER_FILE (relative to the project folder when
  -- not absolute) / RENDER_PATTERN (with $project) + the format's extension, and a second file when a
  -- secondary format (RENDER_FORMAT2) is set. REAPER returns them ';'-separated.
  render_targets = function()
    local dir = mock.project_info.RENDER_FILE or ""
    local project_dir, project_name = mock.project.path:match("^(.*)/([^/]*)%.[Rr][Pp][Pp]$")
    if dir:sub(1, 1) ~= "/" then dir = (project_dir or "") .. (dir ~= "" and ("/" .. dir) or "") end
    local pattern = (mock.project_info.RENDER_PATTERN or ""):gsub("%$project", project_name or "untitled")
    if pattern == "" then pattern = project_name or "untitled" end
    local out = { dir .. "/" .. pattern .. ".wav" }
    if (mock.project_info.RENDER_FORMAT2 or "") ~= "" then out[2] = dir .. "/" .. pattern .. ".mp3" end
    return out
  end
  function impl.Main_OnCommand(cmd, _flag)
    if cmd == 40914 then
      for _, t in ipairs(mock.tracks) do
        if t.selected then mock.last_touched = t; break end
      end
    end
    if cmd == 42230 or cmd == 41824 then
      mock.last_render = {}
      for k, v in pairs(mock.project_info) do mock.last_render[k] = v end
      if mock.render_writes then
        for _, target in ipairs(render_targets()) do
          local f = assert(io.open(target, "wb")); f:write("RIFF"); f:close()
        end
      end
    end
  end
  function impl.GetProjectLength(_proj) return mock.project.length_s end
  function impl.GetAudioDeviceInfo(attr) if attr == "SRATE" then return true, "44100" end return false, "" end
  function impl.EnumProjects(idx) if idx == -1 then return {}, mock.project.path end return nil, "" end
  function impl.GetSet_LoopTimeRange2(_proj, is_set, _is_loop, s, e, _seek)
    if is_set then mock.loop = { s, e } end
    return mock.loop[1], mock.loop[2]
  end
  function impl.GetCursorPosition() return mock.cursor_s end
  function impl.SetEditCurPos(t, _moveview, _seekplay) mock.cursor_s = t end

  -- markers ---------------------------------------------------------------------------------------
  -- Native colours: 0x00BBGGRR on Windows (the RGB() macro), 0x00RRGGBB on macOS and Linux (SWELL's RGB(),
  -- "the byte ordering of RGB() etc is different than on win32"). The platform comes from GetAppVersion.
  local function windows() return mock.app_version:find("win", 1, true) ~= nil end
  function impl.ColorToNative(r, g, b)
    if windows() then return r | (g << 8) | (b << 16) end
    return (r << 16) | (g << 8) | b
  end
  function impl.ColorFromNative(col)
    if windows() then return col & 0xFF, (col >> 8) & 0xFF, (col >> 16) & 0xFF end
    return (col >> 16) & 0xFF, (col >> 8) & 0xFF, col & 0xFF
  end
  local guids = 0
  local function add_marker(isrgn, pos, rgnend, name, wantidx, color)
    local number = (wantidx and wantidx >= 0) and wantidx or find_marker_number(isrgn)
    guids = guids + 1
    local m = { isrgn = isrgn, pos = pos, rgnend = isrgn and rgnend or 0, name = name, number = number,
                color = color, guid = string.format("{6D61726B-0000-4000-8000-%012d}", guids) }
    mock.markers[#mock.markers + 1] = m
    sort_markers()
    return m
  end
  function impl.AddProjectMarker2(_proj, isrgn, pos, rgnend, name, wantidx, color)
    return add_marker(isrgn, pos, rgnend, name, wantidx, color).number
  end
  -- REAPER 7.62's ProjectMarker API: a marker is a pointer with a GUID that survives renames, moves and
  -- renumbering. `index` is the enumeration (timeline) index; -1 with a GUID string finds that marker.
  function impl.AddRegionOrMarker(_proj, isrgn, pos, rgnend, name, wantidx, color)
    return add_marker(isrgn, pos, rgnend, name, wantidx, color)
  end
  function impl.GetNumRegionsOrMarkers(_proj) return #mock.markers end
  function impl.GetRegionOrMarker(_proj, index, guid)
    if index >= 0 then return mock.markers[index + 1] end
    for _, m in ipairs(mock.markers) do if m.guid == guid then return m end end
    return nil
  end
  function impl.GetSetRegionOrMarkerInfo_String(_proj, m, parm, value, is_set)
    if parm == "GUID" then
      if is_set then return false, "" end -- read-only
      return true, m.guid
    end
    if parm ~= "P_NAME" then error("mock: unsupported marker string " .. tostring(parm)) end
    if is_set then m.name = value; return true, value end
    return true, m.name
  end
  local MARKER_VALUES = { B_ISREGION = function(m) return m.isrgn and 1 or 0 end,
                          D_STARTPOS = function(m) return m.pos end, D_ENDPOS = function(m) return m.rgnend end,
                          I_NUMBER = function(m) return m.number end, I_CUSTOMCOLOR = function(m) return m.color end }
  function impl.GetRegionOrMarkerInfo_Value(_proj, m, parm)
    return (MARKER_VALUES[parm] or error("mock: unsupported marker value " .. tostring(parm)))(m)
  end
  function impl.DeleteProjectMarker(_proj, number, isrgn)
    for i, m in ipairs(mock.markers) do
      if m.number == number and m.isrgn == isrgn then table.remove(mock.markers, i); return true end
    end
    return false
  end
  function impl.EnumProjectMarkers3(_proj, idx)
    local m = mock.markers[idx + 1]
    if not m then return 0, false, 0, 0, "", 0, 0 end
    return idx + 1, m.isrgn, m.pos, m.rgnend, m.name, m.number, m.color
  end
  function impl.CountProjectMarkers(_proj)
    local nm, nr = 0, 0
    for _, m in ipairs(mock.markers) do if m.isrgn then nr = nr + 1 else nm = nm + 1 end end
    return nm + nr, nm, nr
  end
  function impl.DeleteProjectMarkerByIndex(_proj, idx)
    if not mock.markers[idx + 1] then return false end
    table.remove(mock.markers, idx + 1)
    return true
  end

  -- tracks ----------------------------------------------------------------------------------------
  function impl.CountTracks(_proj) return #mock.tracks end
  function impl.GetTrack(_proj, idx) return mock.tracks[idx + 1] end
  function impl.GetMasterTrack(_proj) return mock.master end
  function impl.GetTrackName(tr) return true, track_name(tr) end
  function impl.InsertTrackAtIndex(idx, _defaults)
    table.insert(mock.tracks, idx + 1, { name = "", mute = 0, vol = 1.0, selected = false, items = {} })
  end
  function impl.GetSetMediaTrackInfo_String(tr, parm, value, is_set)
    if parm ~= "P_NAME" then error("mock: unsupported track string " .. parm) end
    if is_set then tr.name = value end
    return true, tr.name
  end
  -- Selecting does not touch REAPER's last-touched track; action 40914 ("Track: Set first selected track as
  -- last touched track") does.
  function impl.SetOnlyTrackSelected(tr)
    for _, t in ipairs(mock.tracks) do t.selected = (t == tr) end
  end
  function impl.GetLastTouchedTrack() return mock.last_touched end
  local TRACK_VALUES = { B_MUTE = "mute", D_VOL = "vol" }
  function impl.SetMediaTrackInfo_Value(tr, parm, value)
    local field = TRACK_VALUES[parm] or error("mock: unsupported track value " .. parm)
    tr[field] = value
    return true
  end
  function impl.GetMediaTrackInfo_Value(tr, parm)
    if parm == "IP_TRACKNUMBER" then
      if tr == mock.master then return -1 end
      for i, t in ipairs(mock.tracks) do if t == tr then return i end end
      return 0
    end
    return tr[TRACK_VALUES[parm] or error("mock: unsupported track value " .. parm)]
  end
  -- Mode 0 adds the file to the *last touched* track at the edit cursor (the selection does not matter), as
  -- REAPER does. With no last-touched track REAPER's behaviour is not documented: the stand-in raises.
  function impl.InsertMedia(path, mode)
    if mode ~= 0 then error("mock: only InsertMedia mode 0 is modelled") end
    local t = mock.last_touched or error("mock: InsertMedia mode 0 with no last-touched track")
    t.items[#t.items + 1] = { path = path, pos = mock.cursor_s }
    return 1
  end

  -- media items (an item is { path=, pos=, length=, startoffs= }; its take is the item itself) ------
  local ITEM_VALUES = { D_POSITION = "pos", D_LENGTH = "length" }
  local function item_field(parm)
    return ITEM_VALUES[parm] or error("mock: unsupported item value " .. tostring(parm))
  end
  function impl.CountTrackMediaItems(tr) return #tr.items end
  function impl.GetTrackMediaItem(tr, idx) return tr.items[idx + 1] end
  function impl.GetActiveTake(item) return item end
  function impl.GetMediaItemInfo_Value(item, parm) return item[item_field(parm)] or 0.0 end
  function impl.SetMediaItemInfo_Value(item, parm, value) item[item_field(parm)] = value; return true end
  function impl.GetMediaItemTakeInfo_Value(take, parm)
    if parm ~= "D_STARTOFFS" then error("mock: unsupported take value " .. tostring(parm)) end
    return take.startoffs or 0.0
  end
  function impl.SetMediaItemTakeInfo_Value(take, parm, value)
    if parm ~= "D_STARTOFFS" then error("mock: unsupported take value " .. tostring(parm)) end
    take.startoffs = value
    return true
  end

  -- monitoring FX (master record FX) --------------------------------------------------------------
  function impl.TrackFX_GetRecCount(tr) return #tr.rec_fx end
  function impl.TrackFX_GetFXName(tr, idx) local fx = fx_of(tr, idx); if not fx then return false, "" end return true, fx.name end
  function impl.TrackFX_GetEnabled(tr, idx) return fx_of(tr, idx).enabled end
  function impl.TrackFX_SetEnabled(tr, idx, enabled) fx_of(tr, idx).enabled = enabled end
  function impl.TrackFX_AddByName(tr, name, rec_fx, instantiate)
    if tr ~= mock.master or not rec_fx then error("mock: only monitoring FX are modelled") end
    local def = mock.fx_catalog[name]
    if not def then return -1 end
    if instantiate == 0 then
      for i, fx in ipairs(tr.rec_fx) do if fx.name == name then return REC_FX + i - 1 end end
      return -1
    end
    local params = {}
    for i, p in ipairs(def.params) do
      params[i] = { name = p.name, min = p.min or 0, max = p.max or 1, value = p.value or 0, labels = p.labels }
    end
    tr.rec_fx[#tr.rec_fx + 1] = { name = name, enabled = true, params = params }
    return REC_FX + #tr.rec_fx - 1
  end
  function impl.TrackFX_Delete(tr, idx) table.remove(tr.rec_fx, idx - REC_FX + 1); return true end
  function impl.TrackFX_CopyToTrack(src, src_idx, dest, dest_idx, is_move)
    if src ~= dest or not is_move then error("mock: only moves within the monitoring chain are modelled") end
    local fx = table.remove(src.rec_fx, src_idx - REC_FX + 1)
    table.insert(src.rec_fx, dest_idx - REC_FX + 1, fx)
  end
  function impl.TrackFX_GetNumParams(tr, idx) return #fx_of(tr, idx).params end
  function impl.TrackFX_GetParamName(tr, idx, p)
    local param = fx_of(tr, idx).params[p + 1]
    if not param then return false, "" end
    return true, param.name
  end
  function impl.TrackFX_GetParam(tr, idx, p)
    local param = fx_of(tr, idx).params[p + 1]
    return param.value, param.min, param.max
  end
  function impl.TrackFX_SetParam(tr, idx, p, value)
    local param = fx_of(tr, idx).params[p + 1]
    if not param then return false end
    param.value = math.max(param.min, math.min(param.max, value))
    return true
  end
  function impl.TrackFX_FormatParamValue(tr, idx, p, value)
    local param = fx_of(tr, idx).params[p + 1]
    if param.labels then
      local label = param.labels[math.floor(value - param.min) + 1]
      return label ~= nil, label or ""
    end
    return true, string.format("%.2f", value)
  end
  function impl.time_precise() return os.clock() end
  function impl.defer(f) mock.deferred = (mock.deferred or 0) + 1 end

  -- journal shortcuts (lib/journal.lua): play state and GetUserInputs forms -------------------------
  mock.play_state = 0         -- GetPlayState bits: 1 playing, 2 paused, 4 recording
  mock.play_position_s = 0.0  -- GetPlayPosition (what is heard while playing)
  mock.user_inputs = {}       -- queued answers: a list of field values, or false (the user cancels)
  mock.forms = {}             -- every form shown: { title=, num=, captions=, defaults= }
  function impl.GetPlayState() return mock.play_state end
  function impl.GetPlayPosition() return mock.play_position_s end
  function impl.GetUserInputs(title, num, captions, defaults)
    mock.forms[#mock.forms + 1] = { title = title, num = num, captions = captions, defaults = defaults }
    local answer = table.remove(mock.user_inputs, 1)
    if not answer then return false, defaults end
    local sep = captions:match(",separator=(.)$") or ","
    if #answer ~= num then error("mock: form has " .. num .. " fields, answer has " .. #answer) end
    return true, table.concat(answer, sep)
  end

  -- helpers for specs (not part of the REAPER API) ------------------------------------------------
  function mock.add_track(name, fields)
    local t = { name = name, mute = 0, vol = 1.0, selected = false, items = {} }
    for k, v in pairs(fields or {}) do t[k] = v end
    mock.tracks[#mock.tracks + 1] = t
    return t
  end
  function mock.track(name)
    for _, t in ipairs(mock.tracks) do if t.name == name then return t end end
  end
  --- Make this stand-in a REAPER older than 7.62: no ProjectMarker API (markers have no GUID).
  function mock.without_marker_guids()
    for _, name in ipairs({ "AddRegionOrMarker", "GetNumRegionsOrMarkers", "GetRegionOrMarker",
                            "GetSetRegionOrMarkerInfo_String", "GetRegionOrMarkerInfo_Value" }) do
      mock.absent[name] = true
    end
  end
  function mock.called(name)
    local n = 0
    for _, c in ipairs(mock.calls) do if c.name == name then n = n + 1 end end
    return n
  end
  function mock.calls_named(name)
    local out = {}
    for _, c in ipairs(mock.calls) do if c.name == name then out[#out + 1] = c end end
    return out
  end

  local api = setmetatable({}, {
    __index = function(_, key)
      if mock.absent[key] then return nil end
      local f = impl[key]
      if not f then error("mock reaper: the API has no function reaper." .. tostring(key), 2) end
      return function(...)
        mock.calls[#mock.calls + 1] = { name = key, args = table.pack(...), ui_freeze = mock.ui_freeze }
        return f(...)
      end
    end,
  })
  mock.api = api
  return mock
end

return M
