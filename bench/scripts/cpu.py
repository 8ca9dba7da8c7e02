# CPU-bound work for the Python benchmark (bench/python.ts), in the spirit of pystone: records as objects
# with attribute updates, integer and string arithmetic, list and dict traffic, method and function
# calls in a loop. The same script for python.wasm under node:wasi and the native python3.13.
# Prints a checksum so both interpreters are seen to do the same work.
import sys


class Record:
    __slots__ = ("next", "kind", "count", "name", "values")

    def __init__(self, kind, count, name):
        self.next = None
        self.kind = kind
        self.count = count
        self.name = name
        self.values = [0] * 8


def step(rec, i):
    if rec.kind == 0:
        rec.count += i % 7
        rec.kind = 1
    elif rec.kind == 1:
        rec.count -= i % 3
        rec.kind = 2
    else:
        rec.count ^= i
        rec.kind = 0
    rec.values[i & 7] += rec.count & 0xFF
    return rec.count


def words(n):
    out = []
    for i in range(n):
        out.append(f"w{i % 97:02d}-{i * 31 % 1009}")
    return out


def main(loops):
    head = Record(0, 0, "head")
    tail = head
    for i in range(16):
        tail.next = Record(i % 3, i, f"r{i}")
        tail = tail.next
    total = 0
    counts = {}
    for i in range(loops):
        rec = head
        while rec is not None:
            total += step(rec, i)
            rec = rec.next
        key = i % 251
        counts[key] = counts.get(key, 0) + 1
        if i % 1000 == 0:
            total += len(",".join(words(50)))
    joined = "".join(sorted(words(20000)))
    return total & 0xFFFFFFFF, len(counts), len(joined)


print(*main(int(sys.argv[1]) if len(sys.argv) > 1 else 200000))
