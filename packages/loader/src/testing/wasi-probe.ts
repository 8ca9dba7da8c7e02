// A tiny WASI preview 1 command module for run tests, assembled from text by binaryen (a dev dependency of
// the repository). argv[1]'s first letter picks what it does:
//   a  write the raw argv buffer (NUL-separated) to stdout     e  the raw environ buffer
//   p  one byte: the errno of fd_prestat_get(3) (0 = a folder is preopened, 8 = none)
//   c  copy stdin to stdout until EOF (64 KiB reads, partial writes resumed); a failed write exits 3
//   x  exit 42      t  trap (unreachable)      anything else: exit 9
import binaryen from 'binaryen';

const WAT = `(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 4)
  (func $write_all (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (local $err i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (i32.store (i32.const 8) (i32.const 0))
        (local.set $err (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (if (local.get $err) (then (return (local.get $err))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.load (i32.const 8))))
        (local.set $len (i32.sub (local.get $len) (i32.load (i32.const 8))))
        (br $more)))
    (i32.const 0))
  (func (export "_start")
    (local $mode i32) (local $n i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (local.set $mode (i32.const 97))
    (if (i32.gt_u (i32.load (i32.const 16)) (i32.const 1))
      (then (local.set $mode (i32.load8_u (i32.load (i32.const 1028))))))
    (if (i32.eq (local.get $mode) (i32.const 97)) (then
      (drop (call $write_all (i32.const 1) (i32.const 4096) (i32.load (i32.const 20))))
      (return)))
    (if (i32.eq (local.get $mode) (i32.const 101)) (then
      (drop (call $environ_sizes_get (i32.const 24) (i32.const 28)))
      (drop (call $environ_get (i32.const 2048) (i32.const 8192)))
      (drop (call $write_all (i32.const 1) (i32.const 8192) (i32.load (i32.const 28))))
      (return)))
    (if (i32.eq (local.get $mode) (i32.const 112)) (then
      (i32.store8 (i32.const 32) (call $fd_prestat_get (i32.const 3) (i32.const 40)))
      (drop (call $write_all (i32.const 1) (i32.const 32) (i32.const 1)))
      (return)))
    (if (i32.eq (local.get $mode) (i32.const 99)) (then
      (loop $copy
        (i32.store (i32.const 48) (i32.const 65536))
        (i32.store (i32.const 52) (i32.const 65536))
        (i32.store (i32.const 56) (i32.const 0))
        (if (call $fd_read (i32.const 0) (i32.const 48) (i32.const 1) (i32.const 56))
          (then (call $proc_exit (i32.const 4))))
        (local.set $n (i32.load (i32.const 56)))
        (if (i32.gt_u (local.get $n) (i32.const 0)) (then
          (if (call $write_all (i32.const 1) (i32.const 65536) (local.get $n))
            (then (call $proc_exit (i32.const 3))))
          (br $copy))))
      (return)))
    (if (i32.eq (local.get $mode) (i32.const 120)) (then (call $proc_exit (i32.const 42))))
    (if (i32.eq (local.get $mode) (i32.const 116)) (then (unreachable)))
    (call $proc_exit (i32.const 9))))`;

export function probeWasm(): Buffer {
  const module = binaryen.parseText(WAT);
  try {
    if (!module.validate()) throw new Error('wasi-probe: the module does not validate');
    return Buffer.from(module.emitBinary());
  } finally {
    module.dispose();
  }
}
