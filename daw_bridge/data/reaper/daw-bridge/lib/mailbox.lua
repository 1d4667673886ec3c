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

local ENOENT = 2 -- the same number on Linux, macOS and Windows' C runtime

--- Open `path` for reading without ever blocking, or nil, code, message.
-- Plain Lua cannot stat a file or open it O_NONBLOCK, and io.open(path, "rb") on a FIFO blocks REAPER's UI thread
-- until some process opens the other end. Mode "r+b" (O_RDWR) opens a FIFO at once on Linux and macOS, refuses a
-- folder (EISDIR), and a FIFO, socket or terminal then fails f:seek (ESPIPE): anything that cannot seek is refused
-- as not a regular file. The price: a file we may not write is opened "rb" only when `read_only_ok` (the user's
-- config file), never for a mailbox entry (the controller writes them 0600, so they are always writable).
local function open_for_reading(path, read_only_ok)
  local f, err, errno = io.open(path, "r+b")
  if not f then
    if errno == ENOENT then return nil, "missing", path .. ": cannot open (no such file)" end
    if read_only_ok and errno == 13 then -- EACCES: a read-only file of the user's
      f, err = io.open(path, "rb")
    end
    if not f then return nil, "io", path .. ": cannot open (" .. tostring(err) .. ")" end
  end
  if not f:seek("cur") then
    f:close()
    return nil, "not_regular", paths.basename(path) .. " is not a regular file (a FIFO, socket or terminal)"
  end
  return f
end

--- The bytes of `path` if it is a regular file of at most `max_bytes`. Returns text | nil, code, message
-- (code "missing", "io", "not_regular" or "too_large"). Never blocks on a FIFO and never reads more than
-- `max_bytes` + 1 bytes: /dev/zero (whose seek("end") is 0) or a file growing while it is read is refused as
-- too large once that many bytes came. `read_only_ok` allows a file that cannot be opened for writing (see
-- open_for_reading).
function M.read_file(path, max_bytes, read_only_ok)
  local f, code, message = open_for_reading(path, read_only_ok)
  if not f then return nil, code, message end
  local limit = max_bytes or M.MAX_REQUEST_BYTES
  local size = f:seek("end")
  if size and size > limit then
    f:close()
    return nil, "too_large", string.format("%s is %d bytes (limit %d)", paths.basename(path), size, limit)
  end
  f:seek("set", 0)
  local text = f:read(limit + 1) or ""
  f:close()
  if #text > limit then
    return nil, "too_large", string.format("%s holds more than %d bytes (limit %d)", paths.basename(path), limit,
      limit)
  end
  return text
end

--- Decoded JSON of `path`, or nil and a message.
function M.read_json(path, max_bytes, read_only_ok)
  local text, _, message = M.read_file(path, max_bytes, read_only_ok)
  if not text then return nil, message end
  local value, err = json.decode(text)
  if value == nil then return nil, paths.basename(path) .. ": " .. err end
  return value
end

--- True when something (a file, folder, FIFO...) exists at `path`. Never blocks: io.open(path, "rb") would wait
-- forever on a FIFO, "r+b" does not; any failure but "no such file" means something is there.
function M.exists(path)
  local f, _, errno = io.open(path, "r+b")
  if f then f:close(); return true end
  return errno ~= ENOENT
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
