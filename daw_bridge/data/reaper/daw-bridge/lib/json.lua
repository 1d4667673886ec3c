-- @noindex
-- daw-bridge: a small, strict JSON encoder/decoder. Pure Lua 5.3/5.4; never calls load().
--
-- json.decode(text) -> value | nil, message     (never raises on bad input)
-- json.encode(value) -> text                     (raises on values JSON cannot hold)
-- json.null                                      sentinel for JSON null inside arrays/objects
-- json.array(t) / json.object(t)                 mark an empty table's JSON shape
local M = {}

local MAX_DEPTH = 64

M.null = setmetatable({}, { __tostring = function() return "null" end, __name = "json.null" })

local ARRAY_MT = { __name = "json.array" }
local OBJECT_MT = { __name = "json.object" }

function M.array(t) return setmetatable(t or {}, ARRAY_MT) end
function M.object(t) return setmetatable(t or {}, OBJECT_MT) end

---------------------------------------------------------------------------------------------------
-- decoding

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function utf8_char(code)
  return utf8.char(code)
end

local Decoder = {}
Decoder.__index = Decoder

function Decoder:fail(message)
  error({ json_error = string.format("%s at byte %d", message, self.pos) }, 0)
end

function Decoder:skip()
  local _, last = self.text:find("^[ \t\r\n]*", self.pos)
  self.pos = last + 1
end

function Decoder:peek()
  return self.text:sub(self.pos, self.pos)
end

function Decoder:string()
  local text, pos, parts = self.text, self.pos + 1, {}
  while true do
    local chunk_end = text:find('["\\%c]', pos)
    if not chunk_end then self.pos = #text + 1; self:fail("unterminated string") end
    parts[#parts + 1] = text:sub(pos, chunk_end - 1)
    local c = text:sub(chunk_end, chunk_end)
    if c == '"' then
      self.pos = chunk_end + 1
      return table.concat(parts)
    elseif c == "\\" then
      local e = text:sub(chunk_end + 1, chunk_end + 1)
      if ESCAPES[e] then
        parts[#parts + 1] = ESCAPES[e]
        pos = chunk_end + 2
      elseif e == "u" then
        local hex = text:match("^%x%x%x%x", chunk_end + 2)
        if not hex then self.pos = chunk_end; self:fail("bad \\u escape") end
        local code = tonumber(hex, 16)
        pos = chunk_end + 6
        if code >= 0xD800 and code <= 0xDBFF then
          local low = text:match("^\\u(%x%x%x%x)", pos)
          local low_code = low and tonumber(low, 16)
          if not low_code or low_code < 0xDC00 or low_code > 0xDFFF then
            self.pos = chunk_end; self:fail("unpaired surrogate in \\u escape")
          end
          code = 0x10000 + (code - 0xD800) * 0x400 + (low_code - 0xDC00)
          pos = pos + 6
        elseif code >= 0xDC00 and code <= 0xDFFF then
          self.pos = chunk_end; self:fail("unpaired surrogate in \\u escape")
        end
        parts[#parts + 1] = utf8_char(code)
      else
        self.pos = chunk_end; self:fail("bad escape")
      end
    else
      self.pos = chunk_end; self:fail("control character in string")
    end
  end
end

function Decoder:number()
  local text = self.text
  local int, frac, exp = text:match("^(-?%d+)(%.?%d*)([eE]?[-+]?%d*)", self.pos)
  if not int then self:fail("bad number") end
  local digits = int:gsub("^-", "")
  if (#digits > 1 and digits:sub(1, 1) == "0") or frac == "." or (exp ~= "" and not exp:match("^[eE][-+]?%d+$")) then
    self:fail("bad number")
  end
  self.pos = self.pos + #int + #frac + #exp
  local value
  if frac == "" and exp == "" then
    value = math.tointeger(tonumber(int)) or tonumber(int)
  else
    value = tonumber(int .. frac .. exp) + 0.0
  end
  if value == nil or value ~= value or value == math.huge or value == -math.huge then
    self:fail("number out of range")
  end
  return value
end

function Decoder:value(depth)
  if depth > MAX_DEPTH then self:fail("nested too deeply") end
  self:skip()
  local c = self:peek()
  if c == "{" then
    local obj = M.object({})
    self.pos = self.pos + 1
    self:skip()
    if self:peek() == "}" then self.pos = self.pos + 1; return obj end
    while true do
      self:skip()
      if self:peek() ~= '"' then self:fail("expected a string key") end
      local key = self:string()
      self:skip()
      if self:peek() ~= ":" then self:fail("expected ':'") end
      self.pos = self.pos + 1
      obj[key] = self:value(depth + 1)
      self:skip()
      local sep = self:peek()
      self.pos = self.pos + 1
      if sep == "}" then return obj end
      if sep ~= "," then self.pos = self.pos - 1; self:fail("expected ',' or '}'") end
    end
  elseif c == "[" then
    local arr = M.array({})
    self.pos = self.pos + 1
    self:skip()
    if self:peek() == "]" then self.pos = self.pos + 1; return arr end
    while true do
      arr[#arr + 1] = self:value(depth + 1)
      self:skip()
      local sep = self:peek()
      self.pos = self.pos + 1
      if sep == "]" then return arr end
      if sep ~= "," then self.pos = self.pos - 1; self:fail("expected ',' or ']'") end
    end
  elseif c == '"' then
    return self:string()
  elseif c == "-" or c:match("%d") then
    return self:number()
  elseif self.text:sub(self.pos, self.pos + 3) == "true" then
    self.pos = self.pos + 4; return true
  elseif self.text:sub(self.pos, self.pos + 4) == "false" then
    self.pos = self.pos + 5; return false
  elseif self.text:sub(self.pos, self.pos + 3) == "null" then
    self.pos = self.pos + 4; return M.null
  elseif c == "" then
    self:fail("unexpected end of input")
  end
  self:fail("unexpected character " .. string.format("%q", c))
end

--- Parse `text`; returns the value, or nil and a message naming the byte at fault.
-- Arrays holding null keep json.null so their length is right; objects keep json.null values too.
function M.decode(text)
  if type(text) ~= "string" then return nil, "not a string" end
  if not utf8.len(text) then return nil, "not valid UTF-8" end
  local decoder = setmetatable({ text = text, pos = 1 }, Decoder)
  local ok, result = pcall(function()
    local value = decoder:value(1)
    decoder:skip()
    if decoder.pos <= #text then decoder:fail("trailing characters") end
    return value
  end)
  if ok then return result end
  if type(result) == "table" and result.json_error then return nil, result.json_error end
  return nil, tostring(result)
end

---------------------------------------------------------------------------------------------------
-- encoding

local function escape_string(s)
  if not utf8.len(s) then error("json.encode: string is not valid UTF-8", 0) end
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                    ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return named[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt == ARRAY_MT then return true end
  if mt == OBJECT_MT then return false end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  for i = 1, n do if t[i] == nil then return false end end
  return n > 0
end

local encode_value

local function encode_table(t, depth, seen)
  if depth > MAX_DEPTH then error("json.encode: nested too deeply", 0) end
  if seen[t] then error("json.encode: cycle in table", 0) end
  seen[t] = true
  local out = {}
  if is_array(t) then
    for i = 1, #t do out[i] = encode_value(t[i], depth + 1, seen) end
    seen[t] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then error("json.encode: object key is not a string: " .. tostring(k), 0) end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do out[i] = escape_string(k) .. ":" .. encode_value(t[k], depth + 1, seen) end
  seen[t] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

encode_value = function(v, depth, seen)
  local kind = type(v)
  if v == nil or v == M.null then return "null" end
  if kind == "boolean" then return v and "true" or "false" end
  if kind == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("json.encode: NaN or infinity", 0) end
    if math.type(v) == "integer" then return string.format("%d", v) end
    if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%.1f", v) end
    for _, fmt in ipairs({ "%.15g", "%.16g" }) do
      local text = string.format(fmt, v)
      if tonumber(text) == v then return text end
    end
    return string.format("%.17g", v)
  end
  if kind == "string" then return escape_string(v) end
  if kind == "table" then return encode_table(v, depth, seen) end
  error("json.encode: cannot encode a " .. kind, 0)
end

--- JSON text of `value` (object keys sorted, so output is deterministic).
function M.encode(value)
  return encode_value(value, 1, {})
end

return M
