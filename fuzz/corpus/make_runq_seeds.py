#!/usr/bin/env python3
"""Write fuzz/corpus/runq/: one seed per run-queue behaviour (FIFO, runnext,
overflow, the global queue, steals, index wrap-around), under each choice
source. Input format: fuzz/fuzz_common.h; program: fuzz/fuzz_runq.c. Rerun
after changing either."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runq")
RANDOM, PCT, BYTES = 0, 1, 2


def header(choice, ncpu=4, depth=3, seed=1):
    return bytes([choice | (ncpu - 1) << 2 | (depth - 1) << 5, seed & 255, seed >> 8])


# The program's first byte: thieves, the owner's P status, and where the ring
# indices start (-16 * wrap). Bit 2 is unused.
def config(thieves=0, running=False, wrap=0):
    return thieves | running << 3 | wrap << 4


# Owner ops: kind in the low 3 bits, a = op >> 3.
def PUT(n):  # 1..32 Gs
    return (n - 1) << 3 | 0


def PUTNEXT(n):  # 1..4 Gs
    return (n - 1) << 3 | 1


def GET(n):  # 1..32 runqgets
    return (n - 1) << 3 | 2


def BURST(a):  # 64 + 8a puts
    return a << 3 | 3


def GLOBPUT(n, head=False):  # 1..16 Gs
    return (2 * (n - 1) + head) << 3 | 4


def GLOBGET(max_):  # globrunqget(pp, max), 0: no limit
    return max_ << 3 | 5


def GETRING(n):  # 1..32 runqget_rings
    return (n - 1) << 3 | 6


def SIGNAL(mask):  # a token to each thief in mask (1..7)
    return mask << 3 | 7


def YIELD(n):  # 1..4 sl_yields
    return 8 * (n - 1) << 3 | 7


# Thief ops: kind in the low 2 bits.
def STEAL(reps, runnext=False):  # 1..32 runqsteals
    return (reps - 1) << 3 | runnext << 2 | 0


def TGET(n):  # 1..64 gets from its own P
    return (n - 1) << 2 | 1


WAIT = 2


def TYIELD(n):  # 1..8
    return (n - 1) << 2 | 3


def program(cfg, thieves, owner):
    prog = [cfg]
    for ops in thieves:
        assert len(ops) < 16
        prog += [len(ops)] + ops
    prog += owner
    return prog


def seed(name, cfg, thieves, owner, choice=RANDOM, ncpu=4, depth=3, seed=1, choices=b""):
    prog = bytes(program(cfg, thieves, owner))
    assert len(prog) < 256
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(header(choice, ncpu, depth, seed) + bytes([len(prog)]) + prog + bytes(choices))


os.makedirs(HERE, exist_ok=True)
for old in os.listdir(HERE):
    os.remove(os.path.join(HERE, old))

seed("empty", config(), [], [])
seed("put_get_fifo", config(), [],
     [PUT(32), PUT(10), GET(20), GETRING(22), GET(1), PUT(1), GET(2)])
seed("runnext_kick", config(), [],
     [PUT(3), PUTNEXT(1), PUTNEXT(4), GET(1), GETRING(3), GET(5), PUTNEXT(2), PUT(2), GET(4)])
seed("overflow", config(), [],
     [BURST(31), BURST(31), PUTNEXT(4), GET(32), GLOBGET(0), GET(32), GLOBGET(0), GET(32)])
seed("overflow_kick", config(), [],
     [BURST(24), PUTNEXT(1), PUTNEXT(1), GET(2), PUT(1), BURST(24), PUTNEXT(2), GLOBGET(0),
      GET(32)])
seed("global_fair_share", config(), [],
     [GLOBPUT(16), GLOBPUT(5, True), GLOBGET(0), GLOBGET(1), GLOBGET(3), GET(32),
      PUT(8), GLOBGET(31), GET(32)], ncpu=2)
seed("steal_race", config(thieves=3),
     [[STEAL(32), TGET(8), STEAL(32), TYIELD(2), STEAL(16)]] * 3,
     [PUT(32), PUT(32), GET(4), PUT(32), YIELD(2), PUT(32), GET(8), PUT(32), GET(32)],
     choice=PCT, depth=4, seed=8)
seed("steal_runnext_nap", config(thieves=2, running=True),
     [[STEAL(32, True), TYIELD(1), STEAL(32, True)], [STEAL(16, True), STEAL(16, True)]],
     [PUTNEXT(1), YIELD(1), PUTNEXT(1), GET(1), PUTNEXT(2), YIELD(1), PUTNEXT(1),
      PUT(1), PUTNEXT(1), GET(3), PUTNEXT(1)] * 2)
seed("overflow_under_steal", config(thieves=3),
     [[STEAL(32), STEAL(32), TGET(64)], [TYIELD(3), STEAL(32)], [STEAL(8), WAIT, STEAL(32)]],
     [BURST(31), SIGNAL(4), BURST(31), GET(16), BURST(31), GLOBGET(0), GET(32)],
     seed=9)
seed("wrap_index", config(thieves=1, wrap=15),
     [[STEAL(32), TYIELD(4), STEAL(32)]],
     [PUT(32), GET(16), PUT(32), GET(16), PUT(32), PUTNEXT(3), GET(32), PUT(32),
      GETRING(32), BURST(28), GET(32)], choice=PCT, seed=2)
seed("overflow_steal_runnext", config(thieves=2),
     [[STEAL(32), TGET(16), STEAL(32)], [TYIELD(2), STEAL(32, True)]],
     [BURST(31), GET(8), PUTNEXT(2), YIELD(1), GET(32), PUT(32), GETRING(4)], seed=3)
seed("runnext_nap_three_thieves", config(thieves=3, running=True),
     [[STEAL(16, True)]] * 3,
     [PUTNEXT(1), YIELD(1), PUTNEXT(1), GET(1), PUTNEXT(1), YIELD(1)] * 3,
     choice=PCT, depth=3, seed=11)
seed("bytes_choices", config(thieves=2),
     [[STEAL(32), STEAL(32)], [STEAL(32, True), TGET(4), STEAL(32)]],
     [PUT(32), PUTNEXT(2), PUT(32), GET(8), BURST(24), GET(32)],
     choice=BYTES, choices=bytes(range(1, 256, 3)) * 8)
seed("signal_phases", config(thieves=3, running=True, wrap=1),
     [[WAIT, STEAL(32), WAIT, STEAL(32, True)], [WAIT, STEAL(32), WAIT, TGET(8)],
      [WAIT, STEAL(4), WAIT, STEAL(32)]],
     [PUT(32), SIGNAL(7), PUT(32), PUTNEXT(1), GET(4), SIGNAL(5), PUT(32), SIGNAL(2),
      GET(32), SIGNAL(7)], seed=4)
