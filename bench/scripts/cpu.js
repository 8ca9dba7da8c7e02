// CPU-bound work for the interpreter benchmark (bench/interpreters.ts): recursive calls and string
// building, the same work for the wasm module and the native interpreter.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
let s = '';
for (let i = 0; i < 1500000; i++) s += String.fromCharCode(97 + (i % 26)) + (i % 10);
const parts = [];
for (let i = 0; i < 1000000; i++) parts.push(i.toString(36));
console.log(fib(31), s.length, parts.join(',').length);
