// Command wasmhub is the WasmHub runtime program for Go: a small WASI
// (wasm32-wasip1) command-line program. The Rust runtime (runtimes/rust)
// implements the same contract byte for byte, except `version`; the contract
// is kept as data in runtimes/conformance.json.
//
// Only the standard library is used, and nothing newer than Go 1.21.
package main

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

const target = "wasm32-wasip1"

func main() {
	os.Exit(run(os.Args[1:]))
}

func out(s string)    { _, _ = os.Stdout.WriteString(s) }
func errOut(s string) { _, _ = os.Stderr.WriteString(s) }

// fail prints one line on stderr and returns exit code 1.
func fail(msg string) int {
	errOut(msg + "\n")
	return 1
}

func run(args []string) int {
	if len(args) == 0 {
		out(usage)
		return 0
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "version":
		if len(rest) != 0 {
			return fail("Usage: wasmhub version")
		}
		out("WasmHub runtime\nLanguage: Go\nToolchain: " + runtime.Version() + "\nTarget: " + target + "\n")
		return 0
	case "echo":
		out(strings.Join(rest, " ") + "\n")
		return 0
	case "eval":
		if len(rest) == 0 {
			return fail("Usage: wasmhub eval <expr>")
		}
		result, err := evaluate(strings.Join(rest, " "))
		if err != "" {
			return fail("eval: " + err)
		}
		out(result + "\n")
		return 0
	case "env":
		if len(rest) != 0 {
			return fail("Usage: wasmhub env")
		}
		return cmdEnv()
	case "cat":
		if len(rest) != 1 {
			return fail("Usage: wasmhub cat <file>")
		}
		return cmdCat(rest[0])
	case "ls":
		if len(rest) > 1 {
			return fail("Usage: wasmhub ls [path]")
		}
		path := "."
		if len(rest) == 1 {
			path = rest[0]
		}
		return cmdLs(path)
	case "write":
		if len(rest) != 2 {
			return fail("Usage: wasmhub write <file> <content>")
		}
		return cmdWrite(rest[0], rest[1])
	default:
		errOut("Unknown command: " + cmd + "\n" + usage)
		return 1
	}
}

func cmdEnv() int {
	type pair struct{ key, line string }
	var pairs []pair
	for _, kv := range os.Environ() {
		// Entries without "=" are skipped, as Rust's std::env does.
		if i := strings.IndexByte(kv, '='); i >= 0 {
			pairs = append(pairs, pair{kv[:i], kv})
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
	var b strings.Builder
	for _, p := range pairs {
		b.WriteString(p.line)
		b.WriteByte('\n')
	}
	out(b.String())
	return 0
}

// describe maps a file-system error to the contract's wording.
func describe(err error, fallback string) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file or directory"
	}
	return fallback
}

func cmdCat(path string) int {
	info, err := os.Stat(path)
	if err != nil {
		return fail("cat: " + path + ": " + describe(err, "cannot read"))
	}
	if info.IsDir() {
		return fail("cat: " + path + ": is a directory")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fail("cat: " + path + ": " + describe(err, "cannot read"))
	}
	_, _ = os.Stdout.Write(data)
	return 0
}

// cmdLs lists a directory: `<d|-> <size right-aligned in 8> <name>`, sorted by
// name (byte order). A directory's size is shown as 0, so the listing does not
// depend on the host file system; other entries show their size in bytes
// (symbolic links are not followed).
func cmdLs(path string) int {
	info, err := os.Stat(path)
	if err != nil {
		return fail("ls: " + path + ": " + describe(err, "cannot read directory"))
	}
	if !info.IsDir() {
		return fail("ls: " + path + ": not a directory")
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fail("ls: " + path + ": " + describe(err, "cannot read directory"))
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var b strings.Builder
	for _, e := range entries {
		kind, size := "-", int64(0)
		if e.IsDir() {
			kind = "d"
		} else if fi, err := e.Info(); err == nil {
			size = fi.Size()
		}
		b.WriteString(kind + " " + padLeft(strconv.FormatInt(size, 10), 8) + " " + e.Name() + "\n")
	}
	out(b.String())
	return 0
}

// padLeft right-aligns s in a field of the given width (never truncates).
func padLeft(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return strings.Repeat(" ", width-len(s)) + s
}

func cmdWrite(path, content string) int {
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fail("write: " + path + ": " + describe(err, "cannot write"))
	}
	out("Wrote " + strconv.Itoa(len(content)) + " bytes to " + path + "\n")
	return 0
}
