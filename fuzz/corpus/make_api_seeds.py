#!/usr/bin/env python3
"""make_api_seeds.py: write the seed corpus of fuzz_api (fuzz/corpus/api/).

Each seed is one input in the format of fuzz/fuzz_common.h: a 4-byte header
(choice source and CPUs, seed, program length), the program that
fuzz/fuzz_api.c interprets (its header comment has the operation encoding),
and, for the byte choice source, the scheduler's decisions. The output is a
function of this file alone: run it again after changing the encoding.

    python3 fuzz/corpus/make_api_seeds.py [OUTDIR]
"""
import os
import sys

# Operations, in the order of fuzz_api.c's enum.
(CHAN_MAKE, SEND, RECV, CLOSE, FREE, QUERY, NULLCHAN, SELECT, SELECT_BAD,
 GOMAXPROCS, MAXTHREADS, SLEEP, INFO, SYSCALL, TIMER, TIMER_SEL, MUTEX,
 WAITGROUP, FOREVER, EBUSY, CLOSEWAKE, SANITY, NESTED) = range(23)

# Indexes into fuzz_api.c's tables.
ES = {0: 0, 1: 1, 8: 2, 13: 3, 600: 4, 65535: 5, 65536: 6, 'max': 7}
CAP = {0: 0, 1: 1, 2: 2, 3: 3, 64: 4, '2^47': 5, '2^47+1': 6, 'max': 7}
PROCS = {0: 0, -1: 1, 'min': 2, 1: 3, 2: 4, 3: 5, 4: 6, 8: 7, 64: 8, 1024: 9,
         1025: 10, 'max': 11}

PRNG, PCT, BYTES = 0, 1, 2


def header(choice=PRNG, ncpu=4, depth=3, seed=1):
    assert 1 <= ncpu <= 8 and 1 <= depth <= 8
    return bytes([choice | (ncpu - 1) << 2 | (depth - 1) << 5, seed & 255, seed >> 8])


def seed(prog, choice=PRNG, ncpu=4, depth=3, rng=1, decisions=b''):
    assert len(prog) <= 255, len(prog)
    return header(choice, ncpu, depth, rng) + bytes([len(prog)]) + bytes(prog) + decisions


def make(slot, es, cap):
    return [CHAN_MAKE, slot | ES[es] << 2, CAP[cap]]


def send(slot, mode=0, count=1):
    return [SEND, slot | mode << 2 | (count - 1) << 5]


def recv(slot, mode=0, count=1):
    return [RECV, slot | mode << 2 | (count - 1) << 5]


def close(slot, twice=False):
    return [CLOSE, slot | twice << 2]


def free(slot, probes=0):
    return [FREE, slot, probes]


# select descriptors: channel 0-3 slot, 4 NULL, 6 freed; dir 0 recv, 1 send,
# 3 bad (value from bits 5-6)
def desc(ch, dir=0, nullelem=False, nullok=False, bad=0):
    if dir == 3:
        return ch | 3 << 3 | bad << 5
    return ch | dir << 3 | nullelem << 5 | nullok << 6


def select(descs, block=False, ncases=0):
    return [SELECT, (len(descs) - 1) | block << 3 | ncases << 4] + descs


def timer(slot, call, ns=4):
    calls = {'new': 0, 'stop': 1, 'reset': 2, 'recv': 3, 'free': 4, 'close': 5,
             'send': 6, 'stop2': 7}
    return [TIMER, slot | calls[call] << 1, ns]


def seeds():
    s = {}

    # Every elemsize against every capacity: zero, small, 2^47 and SIZE_MAX.
    p = []
    for es in [0, 1, 13, 600, 65535, 65536, 'max']:
        for cap in [0, 3, 64, '2^47', '2^47+1', 'max']:
            p += make(len(p) % 4, es, cap)
    s['chan_make_sizes'] = seed(p[:255])

    # Buffered and unbuffered channels through every send and receive mode,
    # then close with elements buffered, drain, close again.
    p = (make(0, 8, 3) + make(1, 0, 0) + make(2, 13, 64) + make(3, 600, 2) +
         send(0, 0, 4) + send(0, 1, 2) + recv(0, 0, 2) + recv(0, 2) + recv(0, 3) +
         send(0, 2) + send(1, 2) + send(1, 0, 2) + recv(1, 1) +
         send(2, 3, 5) + send(2, 4, 3) + recv(2, 4, 2) + recv(2, 5, 2) + recv(2, 6) +
         send(3, 1, 3) + recv(3, 1, 3) + close(0) + recv(0, 1, 3) + send(0, 0) +
         close(0, True) + close(1) + recv(1, 1, 2) + send(1, 4) + close(2) +
         recv(2, 5, 8) + [QUERY])
    s['send_recv_close'] = seed(p)

    # Free, then every call on the freed channel (SL_EFREED), for each size.
    p = []
    for slot, es in enumerate([8, 0, 600, 65535]):
        p += make(slot, es, 2) + send(slot, 0, 1) + free(slot, 0xff) + [QUERY]
    p += free(0, 0xff) + make(1, 13, 0) + free(1, 0x81) + select([desc(6), desc(1)])
    s['freed_channel'] = seed(p)

    # NULL channels, and select with bad counts, arrays and directions.
    p = [NULLCHAN, 0xff]
    for v in range(8):
        p += [SELECT_BAD, v | 8 | v << 4]
    p += make(0, 8, 1) + [SELECT_BAD, 6 | 3 << 6] + select([desc(4), desc(4, 1, True)])
    p += [NULLCHAN, 0x55, NULLCHAN, 0xaa] + close(2, True)
    s['null_and_bad_select'] = seed(p)

    # select over ready and unready cases, duplicates, 9, 100 and 65536 cases.
    p = (make(0, 8, 64) + make(1, 0, 0) + make(2, 1, 1) + send(0, 0, 2) +
         select([desc(0), desc(1), desc(2, 1), desc(4)]) +
         select([desc(0, 1), desc(0), desc(0, 1, nullok=True)], block=True) +
         select([desc(1), desc(1, 1), desc(4)], block=True) +
         select([desc(0), desc(2), desc(3), desc(4)], ncases=1) +
         select([desc(0, 1), desc(2, 1), desc(4, 1)], ncases=2, block=True) +
         select([desc(0), desc(4)], ncases=3) +
         close(1) + select([desc(1), desc(1, 1)], block=True) + select([desc(1)], True) +
         select([desc(0, 1, nullelem=True), desc(3, 3, bad=2)]) +
         select([desc(2, 3, bad=3)], block=True))
    s['select_cases'] = seed(p)

    # GOMAXPROCS through every value, with workloads in between.
    p = []
    for v in ['min', -1, 0, 1, 2, 64, 1025, 3, 'max', 1, 8, 1024, 4]:
        p += [GOMAXPROCS, PROCS[v], SANITY, 0x1b]
    s['gomaxprocs_values'] = seed(p, ncpu=2)

    # sl_setmaxthreads, sl_sleep and the query functions.
    p = []
    for i in range(6):
        p += [MAXTHREADS, i, SLEEP, i, INFO]
    p += [SLEEP, 6, SLEEP, 7, INFO]
    s['maxthreads_sleep_info'] = seed(p, ncpu=3)

    # Goroutines in syscalls while GOMAXPROCS changes.
    p = []
    for x in [0x00, 0x03, 0x37, 0x2d, 0x1e, 0x3f]:
        p += [SYSCALL, x]
    p += [GOMAXPROCS, PROCS[8], SYSCALL, 0x33]
    s['syscall_procresize'] = seed(p, ncpu=8)

    # Timers: negative, zero, short and huge durations; stop, reset, close
    # and stuff their channels; select that only a timer ends.
    p = (timer(0, 'new', 0) + timer(1, 'new', 6) + timer(0, 'recv') + timer(0, 'stop') +
         timer(1, 'stop2') + timer(1, 'reset', 1) + timer(1, 'recv') +
         timer(0, 'reset', 7) + timer(0, 'send') + timer(0, 'recv') + timer(0, 'close') +
         timer(0, 'close') + timer(0, 'recv') + timer(1, 'new', 5) + timer(1, 'free') +
         timer(1, 'stop') + timer(0, 'free') + timer(0, 'new', 2) + timer(0, 'recv') +
         make(0, 8, 0) + make(1, 8, 1) + send(1) + [TIMER_SEL, 0x03, TIMER_SEL, 0x1e, TIMER_SEL, 0x0c])
    s['timers'] = seed(p)

    # Mutex: lock, trylock, contention with starvation, trylock spinners;
    # WaitGroup: big adds, done, wait while another goroutine zeroes it.
    p = ([MUTEX, 0, MUTEX, 1, MUTEX, 3 | 3 << 3 | 1 << 5, MUTEX, 1, MUTEX, 2,
          MUTEX, 3 | 2 << 3 | 1 << 5 | 0x80, MUTEX, 4 | 3 << 3 | 2 << 5, MUTEX, 0,
          MUTEX, 4 | 1 << 3] +
         [WAITGROUP, 0 | 4 << 2, WAITGROUP, 0 | 6 << 2, WAITGROUP, 1 | 1 << 2,
          WAITGROUP, 2, WAITGROUP, 0 | 3 << 2, WAITGROUP, 1, WAITGROUP, 2,
          WAITGROUP, 3 | 15 << 2, WAITGROUP, 0 | 1 << 2, MUTEX, 0])
    s['mutex_waitgroup'] = seed(p, choice=PCT, depth=4, rng=7)

    # Goroutines blocked for good on NULL channels, empty selects, sleeps.
    p = [FOREVER, 0, FOREVER, 1, FOREVER, 3, FOREVER, 4, FOREVER, 2, INFO,
         SANITY, 0xff, GOMAXPROCS, PROCS[1], SANITY, 0x3f, INFO]
    s['forever_blocked'] = seed(p)

    # sl_chan_free on a channel main is blocked on; close waking blocked
    # senders, receivers and selects.
    p = [EBUSY, 0, EBUSY, 1, EBUSY, 2, EBUSY, 3]
    for v in range(4):
        p += [CLOSEWAKE, v | 3 << 2 | 1 << 4 | 2 << 5, CLOSEWAKE, v | 1 << 2]
    s['ebusy_closewake'] = seed(p, ncpu=4)

    # Goroutine trees and workloads, with the scheduler driven by bytes.
    p = [NESTED, 0x0f, SANITY, 0xc7, NESTED, 0x07, GOMAXPROCS, PROCS[2], NESTED,
         0x0b, SANITY, 0x40]
    s['nested_bytes_sched'] = seed(p, choice=BYTES, ncpu=4,
                                   decisions=bytes((i * 37 + 11) & 255 for i in range(3000)))

    # A bit of everything under PCT.
    p = (make(0, 8, 2) + send(0, 0, 2) + [FOREVER, 2, GOMAXPROCS, PROCS[2]] +
         timer(0, 'new', 4) + [EBUSY, 2, SYSCALL, 0x17] + select([desc(0), desc(4)], True) +
         free(0, 0xff) + [MUTEX, 3 | 1 << 3, WAITGROUP, 3 | 5 << 2, CLOSEWAKE, 2] +
         timer(0, 'recv') + [NESTED, 0x06, INFO])
    s['mixed_pct'] = seed(p, choice=PCT, ncpu=6, depth=3, rng=1234)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'api')
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        print(f'{name}: {len(data)} bytes')


if __name__ == '__main__':
    main()
