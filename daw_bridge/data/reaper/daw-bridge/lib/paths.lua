-- @noindex
-- daw-bridge: lexical path handling (POSIX and Windows) and the "inside an allowed folder" rule.
--
-- REAPER's Lua has no realpath(), so confinement is lexical: paths must be absolute, "." and ".." are
-- resolved, separators unified, and the result must lie inside one of the configured roots. Symlinks
-- inside the (user-private, mode 0700) mailbox or bounce folder are not followed by this check; the
-- controller resolves them on its side before it writes a request.
local M = {}

local function is_windows_style(p)
  return p:match("^%a:[/\\]") ~= nil or p:match("^[/\\][/\\]") ~= nil
end

--- True when `p` is an absolute POSIX path ("/x") or Windows path ("C:\x", "\\server\share").
function M.is_absolute(p)
  return type(p) == "string" and (p:sub(1, 1) == "/" or is_windows_style(p))
end

--- `p` with separators unified to "/", "." and ".." resolved, no trailing slash.
-- Returns nil when ".." climbs above the root, or `p` is not absolute.
function M.normalize(p)
  if not M.is_absolute(p) or p:find("%z") then return nil end
  local windows = is_windows_style(p)
  local s = p:gsub("\\", "/")
  local prefix
  if windows and s:match("^%a:/") then
    prefix, s = s:sub(1, 2):upper(), s:sub(3)
  elseif windows then
    prefix, s = "/", s:sub(2) -- UNC: keep one leading "/" marker, then "/server/share/..."
  else
    prefix = ""
  end
  local parts = {}
  for part in s:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return prefix .. "/" .. table.concat(parts, "/")
end

--- True when `p` equals `root` or lies below it (both normalized; Windows drive paths compare
-- case-insensitively).
function M.is_inside(p, root)
  local np, nr = M.normalize(p), M.normalize(root)
  if not np or not nr then return false end
  if nr:match("^%a:") or nr:match("^//") then np, nr = np:lower(), nr:lower() end
  if nr:sub(-1) == "/" then return np:sub(1, #nr) == nr end
  return np == nr or np:sub(1, #nr + 1) == nr .. "/"
end

--- The first of `roots` that contains `p`, or nil.
function M.confine(p, roots)
  for _, root in ipairs(roots) do
    if type(root) == "string" and root ~= "" and M.is_inside(p, root) then return M.normalize(p) end
  end
  return nil
end

--- `dir` and `name` joined with "/".
function M.join(dir, name)
  if dir:sub(-1) == "/" or dir:sub(-1) == "\\" then return dir .. name end
  return dir .. "/" .. name
end

--- The folder part of `p` ("" when none).
function M.dirname(p)
  return p:match("^(.*)[/\\][^/\\]*$") or ""
end

--- The last component of `p`.
function M.basename(p)
  return p:match("([^/\\]*)$")
end

--- True when `name` is a plain file name: no separators, not "." or "..", no control characters.
function M.is_plain_name(name)
  return type(name) == "string" and name ~= "" and name ~= "." and name ~= ".."
    and not name:find("[/\\%c:]") and #name <= 255
end

return M
