#!/usr/bin/env python3
"""How fast this machine hands a process new memory: the floor under ORT's training-session open.

Opening a full-parameter training session allocates and zero-fills the gradients and both AdamW moments (12 bytes
per parameter; 13.4 GB for TinyLlama-1.1B) on one thread. Each new 4 KiB page costs a page fault and the kernel
clearing it; on a VM whose host backs guest memory lazily (e.g. free page reporting through virtio-balloon) the host
faults too. This script maps anonymous memory and writes it once with 1 and with N threads (ctypes.memset releases
the GIL), then rewrites it (memory that is already there), and prints GB/s for each.

    tools/.venv/bin/python tools/bench/first_touch.py --gb 6 --threads 2

No numpy (numpy asks for transparent huge pages on large arrays, which ORT's allocations do not get).
"""
import argparse
import ctypes
import mmap
import threading
import time


def touch(gb: float, threads: int, value: int) -> tuple[float, float]:
    """Maps gb GiB, writes it with `threads` threads; returns (first write s, rewrite s)."""
    n = int(gb * (1 << 30)) // 4096 * 4096
    buf = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    base = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    chunk = n // threads // 4096 * 4096

    def write(i: int) -> None:
        start = i * chunk
        size = n - start if i == threads - 1 else chunk
        ctypes.memset(base + start, value, size)

    def timed() -> float:
        t = time.perf_counter()
        workers = [threading.Thread(target=write, args=(i,)) for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.perf_counter() - t

    first = timed()
    again = timed()
    del base
    buf.close()
    return first, again


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gb", type=float, default=4.0, help="GiB mapped per measurement (default 4)")
    p.add_argument("--threads", type=int, default=2, help="threads of the parallel measurement (default 2)")
    p.add_argument("--pause", type=float, default=15.0,
                   help="seconds to wait between measurements, so the kernel can hand freed memory back to the "
                        "host as it would between two runs (default 15)")
    a = p.parse_args()
    for i, th in enumerate((1, a.threads)):
        if i:
            time.sleep(a.pause)
        first, again = touch(a.gb, th, 1)
        print(f"{a.gb:g} GiB, {th} thread(s): first write {a.gb / first:.2f} GiB/s ({first:.2f} s), "
              f"rewrite {a.gb / again:.2f} GiB/s")


if __name__ == "__main__":
    main()
