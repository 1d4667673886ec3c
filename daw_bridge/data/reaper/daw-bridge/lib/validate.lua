-- @noindex
-- daw-bridge: argument checks for bridge operations. Each check returns the value, or raises a
-- {code = "bad_args", message = "<field> must be ..."} table that lib/bridge.lua turns into a response.
local json = require("lib.json")

local M = {}

--- Raise a protocol error `{code, message}` (caught by the bridge, never a script crash).
function M.fail(code, message)
  error({ bridge_error = true, code = code, message = message }, 0)
end

local function bad(field, what)
  M.fail("bad_args", string.format("%s must be %s", field, what))
end

function M.is_null(v) return v == nil or v == json.null end

function M.object(v, field)
  if type(v) ~= "table" or v == json.null or (getmetatable(v) and getmetatable(v).__name == "json.array") then
    bad(field, "an object")
  end
  for k in pairs(v) do if type(k) ~= "string" then bad(field, "an object") end end
  return v
end

function M.array(v, field, max_items)
  if type(v) ~= "table" or v == json.null or (getmetatable(v) and getmetatable(v).__name == "json.object") then
    bad(field, "an array")
  end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" then bad(field, "an array") end
    n = n + 1
  end
  if n ~= #v then bad(field, "an array") end
  if max_items and n > max_items then bad(field, "an array of at most " .. max_items .. " items") end
  return v
end

function M.number(v, field, min, max)
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then bad(field, "a number") end
  if min and v < min then bad(field, string.format("a number >= %g", min)) end
  if max and v > max then bad(field, string.format("a number <= %g", max)) end
  return v
end

function M.integer(v, field, allowed)
  if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) then bad(field, "an integer") end
  v = math.tointeger(v)
  if allowed then
    for _, a in ipairs(allowed) do if a == v then return v end end
    local names = {}
    for i, a in ipairs(allowed) do names[i] = tostring(a) end
    bad(field, "one of " .. table.concat(names, ", "))
  end
  return v
end

function M.string(v, field, max_len, pattern)
  if type(v) ~= "string" then bad(field, "a string") end
  if not utf8.len(v) then bad(field, "valid UTF-8") end
  if max_len and #v > max_len then bad(field, "at most " .. max_len .. " bytes") end
  if pattern and not v:match(pattern) then bad(field, "a string matching " .. pattern) end
  return v
end

function M.boolean(v, field)
  if type(v) ~= "boolean" then bad(field, "true or false") end
  return v
end

--- `v` or `default` when v is absent/null; otherwise checked by `check(v, field, ...)`.
function M.optional(v, default, check, field, ...)
  if M.is_null(v) then return default end
  return check(v, field, ...)
end

--- A "#rrggbb" colour as r, g, b (0-255).
function M.color(v, field)
  if type(v) ~= "string" or not v:match("^#%x%x%x%x%x%x$") then bad(field, 'a colour "#rrggbb"') end
  return tonumber(v:sub(2, 3), 16), tonumber(v:sub(4, 5), 16), tonumber(v:sub(6, 7), 16)
end

--- Refuse keys of `args` that are not in `known` (a list), so typos are reported, not ignored.
function M.only_keys(args, known, field)
  local set = {}
  for _, k in ipairs(known) do set[k] = true end
  for k in pairs(args) do
    if not set[k] then bad(field .. "." .. tostring(k), "absent (unknown field)") end
  end
end

return M
