-- CPU-bound work for the interpreter benchmark (bench/interpreters.ts): recursive calls and string
-- building, the same work for the wasm module and the native interpreter (lua5.4).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local parts = {}
for i = 0, 299999 do parts[#parts + 1] = string.char(97 + i % 26) .. (i % 10) end
local s = table.concat(parts)
local words = {}
for i = 0, 199999 do words[#words + 1] = string.format('%x', i) end
print(fib(27), #s, #table.concat(words, ','))
