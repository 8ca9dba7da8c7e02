//! Embeds the version of the compiler that builds this crate, for `wasmhub version`.
//!
//! `WASMHUB_RUSTC_VERSION` (set by a builder) wins; otherwise `$RUSTC --version` is run
//! (cargo sets RUSTC to the compiler it uses). Only the first two words are kept
//! ("rustc 1.85.1"), so the value does not depend on how the compiler was packaged.
//! Works offline and gives the same value for the same compiler.
use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WASMHUB_RUSTC_VERSION");
    println!("cargo:rerun-if-env-changed=RUSTC");

    let full = match env::var("WASMHUB_RUSTC_VERSION") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => {
            let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
            let output = Command::new(&rustc)
                .arg("--version")
                .output()
                .unwrap_or_else(|e| panic!("cannot run `{rustc} --version`: {e}"));
            assert!(output.status.success(), "`{rustc} --version` failed");
            String::from_utf8(output.stdout).expect("rustc --version is not UTF-8")
        }
    };
    let short: Vec<&str> = full.split_whitespace().take(2).collect();
    assert!(
        short.len() == 2,
        "unexpected rustc version string: {full:?}"
    );
    println!("cargo:rustc-env=WASMHUB_RUSTC_VERSION={}", short.join(" "));
}
