local json = require("lib.json")

describe("lib.json", function()
  it("round-trips objects, arrays, unicode escapes and numbers", function()
    local text = '{"a":[1,2.5,-3,1e3,"x\\u00e9\\ud83d\\ude00",null,true,false],"b":{},"c":[]}'
    local v = assert(json.decode(text))
    assert.are.equal(1, v.a[1]); assert.are.equal("integer", math.type(v.a[1]))
    assert.are.equal(2.5, v.a[2]); assert.are.equal(1000.0, v.a[4]); assert.are.equal("float", math.type(v.a[4]))
    assert.are.equal("xé😀", v.a[5]); assert.are.equal(json.null, v.a[6]); assert.are.equal(8, #v.a)
    assert.are.equal('{"a":[1,2.5,-3,1000.0,"xé😀",null,true,false],"b":{},"c":[]}', json.encode(v))
  end)

  it("encodes deterministically, escaping control characters and quotes", function()
    assert.are.equal('{"a":"q\\"\\n\\u0001","b":0.1}', json.encode({ b = 0.1, a = 'q"\n\1' }))
  end)

  for _, bad in ipairs({ "", "[01]", "[1.]", "[.5]", '{"a":1,}', "[1,]", '"\\u12"', '"\\x"', "1 2", "[",
                         '{"a":1e999}', "[-]", "tru", "{'a':1}", '"a\nb"', "NaN", '"\\udc00"',
                         string.rep("[", 100) .. string.rep("]", 100), "\255" }) do
    local shown = string.format("%q", bad):sub(1, 40):gsub("[\128-\255]", function(c) return string.format("\\%d", c:byte()) end)
    it("rejects " .. shown .. " with a message, without raising", function()
      local v, err = json.decode(bad)
      assert.is_nil(v)
      assert.is_string(err)
    end)
  end

  it("never evaluates input as code", function()
    local v, err = json.decode('os.exit(3)')
    assert.is_nil(v); assert.truthy(err:find("unexpected character"))
  end)

  it("refuses values JSON cannot hold", function()
    assert.has_error(function() json.encode({ x = 0 / 0 }) end)
    assert.has_error(function() json.encode({ [true] = 1 }) end)
    local t = {}; t.self = t
    assert.has_error(function() json.encode(t) end)
  end)
end)
