// Code generated from runtimes/conformance.json ("usage") by npm run generate. DO NOT EDIT.

/// The help text: the contract's "usage".
pub const USAGE: &str = r#"WasmHub runtime: a small WASI command-line program

Usage: wasmhub <command> [args...]

Commands:
  version                 print the language, toolchain and target
  echo [args...]          print the arguments joined by single spaces
  eval <expr>             evaluate an arithmetic expression (+ - * / %, parentheses)
  env                     print the environment as KEY=VALUE lines, sorted by key
  cat <file>              print a file's contents
  ls [path]               list a directory (default: .), sorted by name
  write <file> <content>  write content to a file
"#;
