local paths = require("lib.paths")

describe("lib.paths", function()
  it("normalizes POSIX and Windows paths lexically", function()
    assert.are.equal("/a/c", paths.normalize("/a/./b/../c/"))
    assert.are.equal("C:/Users/x", paths.normalize("c:\\Users\\y\\..\\x"))
    assert.is_nil(paths.normalize("/a/../../etc"))
    assert.is_nil(paths.normalize("relative/path"))
  end)

  it("confines paths to the allowed roots", function()
    local roots = { "/home/u/bridge", "/home/u/bounces" }
    assert.are.equal("/home/u/bounces/mix.wav", paths.confine("/home/u/bounces/mix.wav", roots))
    assert.are.equal("/home/u/bridge/x", paths.confine("/home/u/bridge/y/../x", roots))
    assert.is_nil(paths.confine("/home/u/bounces/../secret", roots))
    assert.is_nil(paths.confine("/home/u/bouncesX/a.wav", roots))
    assert.is_nil(paths.confine("/etc/passwd", roots))
    assert.is_nil(paths.confine("bounces/a.wav", roots))
    assert.is_truthy(paths.confine("c:\\Music\\Bounces\\a.wav", { "C:\\music\\bounces" }))
  end)

  it("recognizes plain file names", function()
    assert.is_true(paths.is_plain_name("mix-003.wav"))
    for _, bad in ipairs({ "", "..", "a/b.wav", "a\\b.wav", "c:x.wav", "a\nb" }) do
      assert.is_false(paths.is_plain_name(bad))
    end
  end)
end)
