-- @noindex
-- daw-bridge: find tracks by name, and the markers we own.
local M = {}

--- Prefix of every marker daw-bridge writes; only markers carrying it are ever deleted.
M.MARKER_TAG = "[daw-bridge]"

--- The first track named exactly `name` and its 1-based number, or nil.
function M.by_name(reaper, name)
  for i = 0, reaper.CountTracks(0) - 1 do
    local track = reaper.GetTrack(0, i)
    local _, tname = reaper.GetTrackName(track)
    if tname == name then return track, i + 1 end
  end
  return nil
end

--- Every marker and region: { {number, time_s, end_s|nil, name, color_native, index}, ... }.
function M.markers(reaper)
  local out = {}
  local i = 0
  while true do
    local retval, isrgn, pos, rgnend, name, number, color = reaper.EnumProjectMarkers3(0, i)
    if not retval or retval == 0 then break end
    out[#out + 1] = { index = i, number = number, time_s = pos, end_s = isrgn and rgnend or nil,
                      name = name or "", color_native = color or 0, region = isrgn and true or false }
    i = i + 1
  end
  return out
end

--- Delete every marker/region whose name starts with the tag; returns how many.
function M.delete_ours(reaper)
  local all = M.markers(reaper)
  local deleted = 0
  for k = #all, 1, -1 do -- from the end, so earlier enumeration indices stay valid
    local m = all[k]
    if m.name:sub(1, #M.MARKER_TAG) == M.MARKER_TAG then
      if reaper.DeleteProjectMarkerByIndex(0, m.index) then deleted = deleted + 1 end
    end
  end
  return deleted
end

--- "#rrggbb" of a native marker colour, or nil when it uses the default colour.
function M.color_hex(reaper, native)
  if not native or native & 0x1000000 == 0 then return nil end
  local r, g, b = reaper.ColorFromNative(native & 0xFFFFFF)
  return string.format("#%02x%02x%02x", r, g, b)
end

return M
