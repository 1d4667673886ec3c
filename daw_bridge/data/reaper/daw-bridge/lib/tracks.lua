-- @noindex
-- daw-bridge: find tracks by name, and the markers we own.
local json = require("lib.json")

local M = {}

--- Prefix of every marker daw-bridge writes, for the eye: which markers are ours is known by ID (delete_ours).
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

--- Project ext state (section "daw_bridge") holding the IDs of the markers and regions we wrote, as JSON.
M.OWNED_KEY = "our_markers"
--- How many IDs of ours not found in the project are still remembered (an undo can bring them back).
M.OWNED_KEPT = 2000

--- Whether this REAPER has 7.62's ProjectMarker API (markers and regions with a GUID that survives a rename, a
-- move, a renumbering and a save/reload). Without it, ours are known by their displayed number.
function M.has_marker_guids(reaper)
  return reaper.AddRegionOrMarker ~= nil and reaper.GetRegionOrMarker ~= nil
    and reaper.GetSetRegionOrMarkerInfo_String ~= nil and reaper.GetNumRegionsOrMarkers ~= nil
end

--- GUID of the marker or region at enumeration index `i`, or nil without the 7.62 API.
local function guid_at(reaper, i)
  if not M.has_marker_guids(reaper) then return nil end
  local ptr = reaper.GetRegionOrMarker(0, i, "")
  if not ptr then return nil end
  local ok, guid = reaper.GetSetRegionOrMarkerInfo_String(0, ptr, "GUID", "", false)
  return (ok and guid ~= "") and guid or nil
end

--- The record of ours: { {guid=..., number=..., region=bool}, ... } (junk entries dropped).
function M.owned(reaper)
  local n, text = reaper.GetProjExtState(0, "daw_bridge", M.OWNED_KEY)
  local ok, list = pcall(json.decode, (n and n > 0) and text or "[]")
  local out = {}
  if not ok or type(list) ~= "table" then return out end
  for _, e in ipairs(list) do
    if type(e) == "table" and (type(e.guid) == "string" or math.type(e.number) == "integer") then
      out[#out + 1] = { guid = type(e.guid) == "string" and e.guid or nil,
                        number = math.type(e.number) == "integer" and e.number or nil, region = e.region == true }
    end
  end
  return out
end

function M.save_owned(reaper, list)
  local out = json.array()
  for k = math.max(1, #list - M.OWNED_KEPT + 1), #list do
    local e = list[k]
    out[#out + 1] = { guid = e.guid or json.null, number = e.number or json.null, region = e.region }
  end
  reaper.SetProjExtState(0, "daw_bridge", M.OWNED_KEY, #out > 0 and json.encode(out) or "")
end

--- Whether marker `m` (from M.markers) is one of the recorded `owned`: by GUID, or for an entry written by a
-- REAPER without GUIDs, by region-ness and displayed number.
local function is_owned(m, owned)
  for _, e in ipairs(owned) do
    if e.guid then
      if m.guid == e.guid then return true end
    elseif e.number == m.number and e.region == m.region then
      return true
    end
  end
  return false
end

--- Every marker and region: { {index, number, time_s, end_s|nil, name, color_native, region, guid|nil, ours}, ... }.
function M.markers(reaper)
  local owned = M.owned(reaper)
  local out = {}
  local i = 0
  while true do
    local retval, isrgn, pos, rgnend, name, number, color = reaper.EnumProjectMarkers3(0, i)
    if not retval or retval == 0 then break end
    local m = { index = i, number = number, time_s = pos, end_s = isrgn and rgnend or nil,
                name = name or "", color_native = color or 0, region = isrgn and true or false,
                guid = guid_at(reaper, i) }
    m.ours = is_owned(m, owned)
    out[#out + 1] = m
    i = i + 1
  end
  return out
end

--- Add one marker or region of ours and record its ID. `color` is native (0 = default colour).
function M.add_ours(reaper, owned, isrgn, time_s, end_s, name, color)
  if M.has_marker_guids(reaper) then
    local ptr = reaper.AddRegionOrMarker(0, isrgn, time_s, end_s, name, -1, color)
    if ptr then
      local ok, guid = reaper.GetSetRegionOrMarkerInfo_String(0, ptr, "GUID", "", false)
      if ok and guid ~= "" then
        owned[#owned + 1] = { guid = guid, region = isrgn }
        return
      end
    end
  end
  local number = reaper.AddProjectMarker2(0, isrgn, time_s, end_s, name, -1, color)
  if number and number >= 0 then owned[#owned + 1] = { number = number, region = isrgn } end
end

--- Delete every marker/region of ours, found by the IDs recorded when we wrote them (never by name: a user's
-- marker with our words in its name stays, and one of ours the user renamed still goes). Deleted by enumeration
-- index, not DeleteProjectMarker(number): REAPER lets two markers share a number, and that call takes the first.
-- Returns how many went and the record kept (and saved): GUIDs stay, since they are unique and an undo may bring
-- those markers back; numbers go, since REAPER gives a free number to the next marker, which may be the user's.
function M.delete_ours(reaper)
  local all = M.markers(reaper)
  local deleted = 0
  for k = #all, 1, -1 do -- from the end, so earlier enumeration indices stay valid
    if all[k].ours and reaper.DeleteProjectMarkerByIndex(0, all[k].index) then deleted = deleted + 1 end
  end
  local kept = {}
  for _, e in ipairs(M.owned(reaper)) do
    if e.guid then kept[#kept + 1] = e end
  end
  M.save_owned(reaper, kept)
  return deleted, kept
end

--- "#rrggbb" of a native marker colour, or nil when it uses the default colour.
function M.color_hex(reaper, native)
  if not native or native & 0x1000000 == 0 then return nil end
  local r, g, b = reaper.ColorFromNative(native & 0xFFFFFF)
  return string.format("#%02x%02x%02x", r, g, b)
end

return M
