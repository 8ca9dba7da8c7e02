//! The WasmHub runtime program for Rust: a small WASI (wasm32-wasip1) command-line
//! program. The Go runtime (runtimes/go) implements the same contract byte for byte,
//! except `version`; the contract is kept as data in runtimes/conformance.json.
//!
//! No crates: the build runs offline.

mod eval;
#[path = "usage.generated.rs"]
mod usage;
use usage::USAGE;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, ErrorKind, Write};
#[cfg(unix)]
use std::os::unix::ffi::OsStrExt;
#[cfg(target_os = "wasi")]
use std::os::wasi::ffi::OsStrExt;

const TARGET: &str = "wasm32-wasip1";
const TOOLCHAIN: &str = env!("WASMHUB_RUSTC_VERSION");

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let code = run(&args);
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    std::process::exit(code);
}

fn out(bytes: &[u8]) {
    let mut stdout = io::stdout().lock();
    let _ = stdout.write_all(bytes);
    let _ = stdout.flush();
}

fn err_out(bytes: &[u8]) {
    let _ = io::stderr().lock().write_all(bytes);
}

/// Prints one line on stderr and returns exit code 1.
fn fail(parts: &[&[u8]]) -> i32 {
    let mut line = parts.concat();
    line.push(b'\n');
    err_out(&line);
    1
}

fn run(args: &[OsString]) -> i32 {
    let Some((cmd, rest)) = args.split_first() else {
        out(USAGE.as_bytes());
        return 0;
    };
    match cmd.as_bytes() {
        b"version" => {
            if !rest.is_empty() {
                return fail(&[b"Usage: wasmhub version"]);
            }
            let text = format!(
                "WasmHub runtime\nLanguage: Rust\nToolchain: {TOOLCHAIN}\nTarget: {TARGET}\n"
            );
            out(text.as_bytes());
            0
        }
        b"echo" => {
            let mut line = join(rest);
            line.push(b'\n');
            out(&line);
            0
        }
        b"eval" => {
            if rest.is_empty() {
                return fail(&[b"Usage: wasmhub eval <expr>"]);
            }
            match eval::evaluate(&join(rest)) {
                Ok(result) => {
                    out(format!("{result}\n").as_bytes());
                    0
                }
                Err(msg) => fail(&[b"eval: ", msg.as_bytes()]),
            }
        }
        b"env" => {
            if !rest.is_empty() {
                return fail(&[b"Usage: wasmhub env"]);
            }
            cmd_env()
        }
        b"cat" => match rest {
            [path] => cmd_cat(path),
            _ => fail(&[b"Usage: wasmhub cat <file>"]),
        },
        b"ls" => match rest {
            [] => cmd_ls(OsStr::new(".")),
            [path] => cmd_ls(path),
            _ => fail(&[b"Usage: wasmhub ls [path]"]),
        },
        b"write" => match rest {
            [path, content] => cmd_write(path, content),
            _ => fail(&[b"Usage: wasmhub write <file> <content>"]),
        },
        other => {
            let mut text = b"Unknown command: ".to_vec();
            text.extend_from_slice(other);
            text.push(b'\n');
            text.extend_from_slice(USAGE.as_bytes());
            err_out(&text);
            1
        }
    }
}

/// The arguments' bytes joined by single spaces.
fn join(args: &[OsString]) -> Vec<u8> {
    let parts: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    parts.join(&b' ')
}

fn cmd_env() -> i32 {
    let mut vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    vars.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = Vec::new();
    for (key, value) in &vars {
        text.extend_from_slice(key.as_bytes());
        text.push(b'=');
        text.extend_from_slice(value.as_bytes());
        text.push(b'\n');
    }
    out(&text);
    0
}

/// Maps a file-system error to the contract's wording.
fn describe(error: &io::Error, fallback: &'static str) -> &'static str {
    if error.kind() == ErrorKind::NotFound {
        "no such file or directory"
    } else {
        fallback
    }
}

fn cmd_cat(path: &OsStr) -> i32 {
    let p = path.as_bytes();
    match fs::metadata(path) {
        Err(e) => return fail(&[b"cat: ", p, b": ", describe(&e, "cannot read").as_bytes()]),
        Ok(m) if m.is_dir() => return fail(&[b"cat: ", p, b": is a directory"]),
        Ok(_) => {}
    }
    match fs::read(path) {
        Ok(data) => {
            out(&data);
            0
        }
        Err(e) => fail(&[b"cat: ", p, b": ", describe(&e, "cannot read").as_bytes()]),
    }
}

/// Lists a directory: `<d|-> <size right-aligned in 8> <name>`, sorted by name (byte
/// order). A directory's size is shown as 0, so the listing does not depend on the host
/// file system; other entries show their size in bytes (symbolic links are not followed).
fn cmd_ls(path: &OsStr) -> i32 {
    let p = path.as_bytes();
    match fs::metadata(path) {
        Err(e) => {
            return fail(&[
                b"ls: ",
                p,
                b": ",
                describe(&e, "cannot read directory").as_bytes(),
            ])
        }
        Ok(m) if !m.is_dir() => return fail(&[b"ls: ", p, b": not a directory"]),
        Ok(_) => {}
    }
    let entries = match fs::read_dir(path) {
        Ok(it) => it,
        Err(e) => {
            return fail(&[
                b"ls: ",
                p,
                b": ",
                describe(&e, "cannot read directory").as_bytes(),
            ])
        }
    };
    let mut rows: Vec<(OsString, bool, u64)> = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            return fail(&[b"ls: ", p, b": cannot read directory"]);
        };
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let size = if is_dir {
            0
        } else {
            entry.metadata().map(|m| m.len()).unwrap_or(0)
        };
        rows.push((entry.file_name(), is_dir, size));
    }
    rows.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = Vec::new();
    for (name, is_dir, size) in &rows {
        let kind = if *is_dir { "d" } else { "-" };
        text.extend_from_slice(format!("{kind} {size:>8} ").as_bytes());
        text.extend_from_slice(name.as_bytes());
        text.push(b'\n');
    }
    out(&text);
    0
}

fn cmd_write(path: &OsStr, content: &OsStr) -> i32 {
    let p = path.as_bytes();
    let data = content.as_bytes();
    if let Err(e) = fs::write(path, data) {
        return fail(&[
            b"write: ",
            p,
            b": ",
            describe(&e, "cannot write").as_bytes(),
        ]);
    }
    let mut text = format!("Wrote {} bytes to ", data.len()).into_bytes();
    text.extend_from_slice(p);
    text.push(b'\n');
    out(&text);
    0
}
