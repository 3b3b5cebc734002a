#!/usr/bin/env python3
"""Write the generated seeds of fuzz/corpus/procresize/: one per operation
family and a few mixes, under each choice source. Input format: fuzz/fuzz_common.h; ops:
fuzz/fuzz_procresize.c. Rerun after changing either."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "procresize")
RANDOM, PCT, BYTES = 0, 1, 2


def header(choice, ncpu=4, depth=3, seed=1):
    return bytes([choice | (ncpu - 1) << 2 | (depth - 1) << 5, seed & 255, seed >> 8])


def seed(name, prog, choice=RANDOM, ncpu=4, seed=1, choices=b""):
    prog = bytes(prog)
    assert len(prog) < 256
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(header(choice, ncpu, seed=seed) + bytes([len(prog)]) + prog + bytes(choices))


os.makedirs(HERE, exist_ok=True)
# Files not written here (regression inputs that once crashed, named for the
# bug) are left alone.
seed("grow_shrink", [0, 7, 3, 10, 2, 0, 0, 63, 1, 0, 15, 0])
seed("grow_to_256", [0, 255, 3, 31, 15, 0, 2, 0])
seed("same_size", [1, 0, 1, 0, 3, 5, 1, 0])
seed("burst_then_shrink", [0, 15, 3, 31, 3, 31, 2, 0, 15, 0], choice=PCT)
seed("chain", [4, 31, 0, 3, 4, 20, 2, 0])
seed("tree", [5, 4, 2, 0, 5, 5, 3, 1, 1, 0])
seed("spawners_many_ps", [0, 7, 6, 7, 7, 12, 0, 0, 2, 0])
seed("yield_pingpong", [8, 15, 0, 2, 7, 7, 8, 9, 2, 0, 8, 3])
seed("sleep_resize", [14, 7, 1, 50, 90, 120, 3, 10, 15, 200, 250, 0, 5, 9, 40, 2, 0, 0, 9, 9, 200])
seed("syscalls_resize", [10, 3, 20, 0, 1, 10, 3, 5, 2, 0, 9, 100, 0, 3])
seed("syscall_p_destroyed", [0, 7, 10, 3, 255, 2, 0, 9, 50, 15, 0], choice=PCT, seed=7)
seed("park_ready", [11, 7, 0, 3, 11, 5, 2, 0, 11, 2])
seed("resizers", [12, 0, 7, 1, 12, 3, 0, 15, 3, 31, 12, 255, 0, 1])
seed("mutex", [13, 7, 7, 0, 1, 13, 3, 3, 2, 0])
seed("everything", [0, 3, 3, 9, 4, 9, 5, 3, 1, 6, 3, 3, 7, 3, 8, 5, 9, 20, 10, 1, 9,
                    11, 3, 12, 1, 2, 3, 13, 2, 2, 14, 3, 9, 9, 9, 15, 0], choice=PCT, seed=3)
seed("bytes_decide", [0, 3, 3, 15, 8, 7, 2, 0, 12, 1, 3, 0],
     choice=BYTES, choices=bytes(range(0, 250, 7)) * 4)
seed("long_syscall_retake", [0, 7, 10, 3, 150, 9, 255, 0, 3, 9, 255, 15, 0], choice=PCT, seed=11)
seed("gopark_cancel", [0, 3, 11, 135, 11, 255, 3, 4, 11, 200, 15, 0])
seed("gopark_cancel_bytes", [11, 135, 11, 143, 0, 1, 11, 255], choice=BYTES,
     choices=bytes(range(3, 250, 11)) * 3)
seed("handoff_to_idle_p", [7, 128, 3, 5, 7, 200, 0, 3, 7, 129])
seed("handoff_pct", [0, 3, 7, 130, 7, 131], choice=PCT, seed=5)
seed("one_cpu", [3, 9, 0, 1, 8, 3, 12, 0, 0, 0], ncpu=1)
# Turns (op 1, byte >= 128: Go's TestGoroutineParallelism2): 4 goroutines in
# compute loops at GOMAXPROCS 4, 2 rounds, after a load phase (bit 4) whose
# Ms go idle as they are spawned; the simulator's work-conservation property
# watches. regress_lost_wakeup_needspinning is the same program under
# another PRNG seed.
TURNS_LOAD = 128 | 2 | 1 << 2 | 1 << 4
seed("turns", [0, 3, 1, 128 | 2 | 1 << 2, 1, 128 | 3, 1, 128 | 1 | 3 << 2])
seed("turns_load", [0, 3] + [1, TURNS_LOAD] * 4, seed=2)
seed("turns_load_pct", [0, 3] + [1, TURNS_LOAD] * 3, choice=PCT, seed=2)
seed("turns_load_bytes", [0, 3] + [1, TURNS_LOAD] * 3, choice=BYTES,
     choices=bytes(range(1, 256, 3)) * 6)
# Sleepers 16 times longer (op 14, bit 5): timers more than the simulator's
# lateness bound apart in the same heaps, some due while others sleep.
seed("long_sleepers", [0, 3, 14, 0x20 | 3, 200, 3, 250, 40, 3, 7, 14, 0x20 | 1, 1, 90,
                       14, 2, 20, 30, 9, 2, 15, 0])
seed("turns_resized", [0, 3, 12, 0, 3, 1, 1, TURNS_LOAD, 7, 2, 1, 128 | 3 | 1 << 4, 15, 0])
