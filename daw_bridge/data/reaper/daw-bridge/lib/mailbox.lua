-- @noindex
-- daw-bridge: the mailbox folder on disk (docs/bridge-protocol.md, "Mailbox layout").
--
-- Files are written atomically (<name>.tmp-<random>, then rename); readers only look at *.json.
-- Directory listing goes through reaper.EnumerateFiles (REAPER caches listings: index -1 refreshes).
local json = require("lib.json")
local paths = require("lib.paths")

local M = {}

M.MAX_REQUEST_BYTES = 1024 * 1024
M.ID_PATTERN = "^[A-Za-z0-9_%-]+$"

--- True when `id` is 8-64 characters of [A-Za-z0-9_-].
function M.valid_id(id)
  return type(id) == "string" and #id >= 8 and #id <= 64 and id:match(M.ID_PATTERN) ~= nil
end

local function random_suffix()
  local out = {}
  for i = 1, 8 do out[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(out)
end

--- Write `text` to `path` atomically. Returns true, or nil and a message.
function M.write_atomic(path, text)
  local tmp = path:gsub("%.json$", "") .. ".tmp-" .. random_suffix()
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(text)
  if ok then ok, werr = f:flush() end
  f:close()
  if not ok then os.remove(tmp); return nil, werr end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then os.remove(tmp); return nil, rerr end
  return true
end

--- Encode `value` as JSON and write it atomically to `path`.
function M.write_json(path, value)
  return M.write_atomic(path, json.encode(value))
end

--- The bytes of `path` if it is at most `max_bytes` long. Returns text | nil, code, message
-- (code "missing" or "too_large").
function M.read_file(path, max_bytes)
  local f = io.open(path, "rb")
  if not f then return nil, "missing", path .. ": cannot open" end
  local size = f:seek("end")
  if max_bytes and size and size > max_bytes then
    f:close()
    return nil, "too_large", string.format("%s is %d bytes (limit %d)", paths.basename(path), size, max_bytes)
  end
  f:seek("set", 0)
  local text = f:read("a")
  f:close()
  return text or ""
end

--- Decoded JSON of `path`, or nil and a message.
function M.read_json(path, max_bytes)
  local text, _, message = M.read_file(path, max_bytes)
  if not text then return nil, message end
  local value, err = json.decode(text)
  if value == nil then return nil, paths.basename(path) .. ": " .. err end
  return value
end

--- True when a file exists at `path`.
function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close(); return true end
  return false
end

--- Sorted names of the *.json files in `dir` (temporary files are ignored).
function M.list_json(reaper, dir)
  local names = {}
  reaper.EnumerateFiles(dir, -1) -- invalidate REAPER's listing cache
  local i = 0
  while true do
    local name = reaper.EnumerateFiles(dir, i)
    if not name then break end
    if name:match("%.json$") then names[#names + 1] = name end
    i = i + 1
  end
  table.sort(names)
  return names
end

--- The mailbox folders under `bridge_dir`.
function M.layout(bridge_dir)
  return {
    root = bridge_dir,
    requests = paths.join(bridge_dir, "requests"),
    responses = paths.join(bridge_dir, "responses"),
    events = paths.join(bridge_dir, "events"),
    controller = paths.join(bridge_dir, "controller.json"),
    bridge = paths.join(bridge_dir, "bridge.json"),
  }
end

return M
