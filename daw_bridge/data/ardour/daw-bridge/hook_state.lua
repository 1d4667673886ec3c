-- daw-bridge: print the state Ardour's Script Manager stores for an action hook (run by ardour7-lua).
--   ardour7-lua hook_state.lua HOOK.lua OUT_FILE [NAME]
-- Ardour keeps registered EditorHook scripts in $XDG_CONFIG_HOME/ardour7/ui_scripts as
-- <ActionHooks><LuaCallback ... signals="BITS">base64(STATE)</LuaCallback></ActionHooks>, where STATE is Lua
-- source assigning s = { n = name, s = script text, f = string.dump (factory, true), a = arguments }
-- (gtk2_ardour/luainstance.cc, LuaCallback::get_state). This writes STATE to OUT_FILE, built the same way with the same
-- Lua as Ardour's, so a test (or a machine without a display) can register the hook without clicking.

local PATH, OUT, NAME = arg[1], arg[2], arg[3] or "daw-bridge bridge"
assert(PATH and OUT, "usage: hook_state.lua HOOK.lua OUT_FILE [NAME]")
local f = assert(io.open(PATH, "rb"))
local source = f:read("a")
f:close()

function ardour(_) end
assert(load(source, "=" .. PATH))()
assert(type(factory) == "function", PATH .. " defines no factory()")

local function scalar(v)
  if type(v) == "number" then return tostring(v) end
  return string.format("%q", v)
end
local function serialize(name, value)
  local t = type(value)
  if t == "number" or t == "string" or t == "nil" then return name .. " = " .. scalar(value) .. " " end
  if t == "boolean" then return name .. " = " .. tostring(value) .. " " end
  if t == "function" then return name .. " = " .. string.format("%q", string.dump(value, true)) .. " " end
  assert(t == "table", "cannot save a " .. t)
  local out = name .. " = {} "
  for k, v in pairs(value) do out = out .. serialize(string.format("%s[%s]", name, scalar(k)), v) .. " " end
  return out
end

local out = assert(io.open(OUT, "wb"))
out:write(serialize("s", { n = NAME, s = source, f = factory, a = { ["x-script-origin"] = PATH } }))
out:close()
