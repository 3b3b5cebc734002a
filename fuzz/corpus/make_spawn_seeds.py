#!/usr/bin/env python3
"""Write the seed corpus of fuzz_spawn (fuzz/corpus/spawn/), reproducibly.

Each seed is a fuzz_common.h input: a 4-byte header (choice source, CPUs
and PCT depth; the seed; the program's length), the program in
fuzz_spawn.c's encoding, then, for byte-decided runs, the scheduler's
choices. Run from anywhere; it rewrites every seed it names and nothing
else.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "spawn")

RANDOM, PCT, BYTES = 0, 1, 2


def header(choice, ncpu, seed, prog, pct_depth=3):
    assert 1 <= ncpu <= 8 and 1 <= pct_depth <= 8 and len(prog) <= 255
    b0 = choice | (ncpu - 1) << 2 | (pct_depth - 1) << 5
    return bytes([b0, seed & 0xFF, seed >> 8 & 0xFF, len(prog)])


# ---- the program's operations (see fuzz_spawn.c) ----


def tree(fanout, depth, mode, cap=0, seed=0):
    return [0, (fanout - 1) | depth << 2, mode | cap << 2, seed]


def pipe(n, stages, seed=0, cancel_at=None, srccap=0, srcsel=False):
    """stages: (fn, capidx, sel, yield) tuples; caps[] index as in the C."""
    b = (len(stages) - 1) | (cancel_at is not None) << 3 | srccap << 4 | srcsel << 7
    out = [1, n, b, seed]
    if cancel_at is not None:
        out.append(cancel_at)
    for fn, cap, sel, yld in stages:
        out.append(fn | cap << 3 | sel << 6 | yld << 7)
    return out


def pool(workers, n, mode, jcap=0, rcap=0, seed=0):
    return [2, (workers - 1) | mode << 4, n, jcap | rcap << 3, seed]


def ring(n, rounds, cap=0):
    return [3, n - 2, (rounds - 1) | cap << 4]


def counter(k, m, pattern=0, trylock=False):
    return [4, (k - 1) | (m - 1) << 3, pattern | trylock << 7]


def resize(n, resizer=0, yld=False):
    return [5, (n - 1) | resizer << 6 | yld << 7]


def sleep(units, resizer=0):
    return [6, resizer | 2 | units << 2]


def yields(k, resizer=0):
    return [6, resizer | (k - 1) << 2]


def barrier(procs=None, alone=False):
    b = alone << 6
    if procs is not None:
        b |= 0x80 | (procs - 1)
    return [7, b]


F_AFFINE, F_XOR, F_DROPODD, F_DROP3, F_DUP, F_SUM, F_PAIR, F_INDEX = range(8)


def cat(*parts):
    out = []
    for p in parts:
        out += p
    return out


def choices(n, seed):
    """A deterministic stream of scheduler decisions."""
    x, out = seed, []
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(x >> 16 & 0xFF)
    return bytes(out)


SEEDS = {
    # Trees, one per reporting mode, and one as big as the budget allows.
    "tree_chan_fanout3": (RANDOM, 4, 1, tree(3, 3, 0, cap=1, seed=7)),
    "tree_waitgroup_slots": (RANDOM, 2, 2, tree(4, 3, 1, seed=9)),
    "tree_select_per_child": (PCT, 4, 3, tree(2, 5, 2, seed=11)),
    "tree_mixed_big_resized": (
        RANDOM,
        8,
        4,
        cat(
            resize(1),
            yields(3),
            resize(64, yld=True),
            sleep(20),
            resize(3),
            tree(4, 5, 3, cap=2, seed=13),
        ),
    ),
    # Pipelines: every stage function, unbuffered and buffered, select.
    "pipe_unbuffered_affine": (
        RANDOM,
        3,
        5,
        pipe(64, [(F_AFFINE, 0, 0, 0), (F_XOR, 0, 0, 1), (F_SUM, 0, 0, 0)], seed=3),
    ),
    "pipe_filters_dup_pair": (
        PCT,
        2,
        6,
        pipe(
            200,
            [
                (F_DROPODD, 2, 0, 0),
                (F_DUP, 6, 0, 1),
                (F_PAIR, 0, 1, 0),
                (F_DROP3, 4, 0, 0),
                (F_INDEX, 7, 1, 1),
                (F_SUM, 1, 0, 0),
            ],
            seed=17,
            srccap=5,
        ),
    ),
    "pipe_cancel_select": (
        RANDOM,
        4,
        7,
        pipe(
            150,
            [(F_AFFINE, 0, 1, 0), (F_PAIR, 3, 1, 1), (F_DUP, 0, 0, 0), (F_INDEX, 5, 1, 0)],
            seed=23,
            cancel_at=40,
            srcsel=True,
        ),
    ),
    "pipe_cancel_at_once": (
        RANDOM,
        2,
        8,
        pipe(100, [(F_SUM, 0, 1, 0), (F_XOR, 0, 1, 0)], seed=29, cancel_at=0),
    ),
    # Worker pools: one results channel, two under select, result slots.
    "pool_chan_closer": (RANDOM, 4, 9, pool(8, 120, 0, jcap=2, rcap=0, seed=31)),
    "pool_select_two_results": (PCT, 3, 10, pool(5, 200, 1, jcap=0, rcap=6, seed=37)),
    "pool_slots_waitgroup": (RANDOM, 1, 11, pool(16, 255, 2, jcap=7, seed=41)),
    # Rings and mutex counters.
    "ring_unbuffered": (RANDOM, 4, 12, ring(16, 8, cap=0)),
    "counter_trylock": (RANDOM, 4, 13, counter(6, 12, pattern=0x35, trylock=True)),
    # Several jobs at once, two resizers racing, barriers that resize.
    "everything_two_resizers": (
        RANDOM,
        6,
        14,
        cat(
            resize(2, 0),
            resize(40, 1),
            tree(3, 3, 3, cap=3, seed=43),
            pipe(80, [(F_AFFINE, 1, 1, 1), (F_DUP, 0, 0, 0)], seed=47, cancel_at=30),
            pool(4, 60, 1, jcap=1, rcap=2, seed=53),
            yields(2, 1),
            resize(7, 0, yld=True),
            sleep(9, 1),
            resize(1, 1),
            ring(5, 4, cap=1),
            counter(3, 5, pattern=1),
            barrier(procs=12, alone=True),
            tree(2, 4, 0, seed=59),
            resize(5),
            pipe(50, [(F_PAIR, 0, 0, 0)], seed=61),
            barrier(procs=1),
            pool(3, 30, 0, seed=67),
        ),
    ),
    # The scheduler's every decision comes from the input.
    "bytes_decide_tree_pipe": (
        BYTES,
        4,
        15,
        cat(
            tree(2, 3, 0, seed=71),
            resize(3),
            pipe(30, [(F_AFFINE, 0, 0, 0), (F_SUM, 0, 1, 0)], seed=73),
        ),
    ),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (choice, ncpu, seed, prog) in sorted(SEEDS.items()):
        data = header(choice, ncpu, seed, prog) + bytes(prog)
        if choice == BYTES:
            data += choices(2048, seed)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), OUT))


if __name__ == "__main__":
    main()
