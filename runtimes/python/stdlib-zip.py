"""Write CPython's standard library as one zip of compiled .pyc files, reproducibly.

usage: python stdlib-zip.py LIB_DIR SYSCONFIG_DIR OUT.zip GUEST_ZIP_PATH

Runs under the native build Python of the same version (same bytecode magic number). The zip is what
getpath puts first on sys.path (<prefix>/lib/python3NN.zip), so the guest needs only that one file:
- entries are STORED (not deflated): zipimport reads them without decompressing (faster start, no
  zlib needed to import the stdlib); the release's .br/.gz variants compress it for the transfer;
- .pyc only, unchecked-hash based (no timestamps), entries sorted with a fixed date: same input, same bytes;
- co_filename is the guest path inside the zip, so tracebacks name where the module came from;
- the tests, IDLE, tkinter, turtle demos and ensurepip (wheels) stay out: they do not work on WASI
  or are not part of running programs.
"""
import os
import py_compile
import sys
import tempfile
import zipfile

lib, sysconfig_dir, out, guest = sys.argv[1:5]
SKIP_DIRS = {"test", "tests", "idle_test", "idlelib", "tkinter", "turtledemo", "ensurepip", "site-packages", "__pycache__"}
SKIP_FILES = {"turtle.py"}  # needs tkinter

def sources():
    for root, dirs, files in os.walk(lib):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py") and name not in SKIP_FILES:
                path = os.path.join(root, name)
                yield path, os.path.relpath(path, lib)
    for name in sorted(os.listdir(sysconfig_dir)):
        if name.startswith("_sysconfigdata_") and name.endswith(".py"):
            yield os.path.join(sysconfig_dir, name), name

entries = []
with tempfile.TemporaryDirectory() as tmp:
    cfile = os.path.join(tmp, "x.pyc")
    for path, rel in sources():
        rel = rel.replace(os.sep, "/")
        py_compile.compile(path, cfile=cfile, dfile=f"{guest}/{rel}", doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        with open(cfile, "rb") as f:
            entries.append((rel[:-3] + ".pyc", f.read()))
entries.sort()
with zipfile.ZipFile(out, "w") as z:
    for name, data in entries:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        info.create_system = 3
        z.writestr(info, data)
print(f"{out}: {len(entries)} modules, {os.path.getsize(out)} bytes")
