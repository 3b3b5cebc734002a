# runtime/test/gdb_helpers.py: the gdb side of gdb_helpers.sh, which checks
# what it prints. Run as
#
#   GDB_HELPERS_MODE=live|core gdb -batch -nx [-x scripts/schedlab-gdb.py] \
#       -x runtime/test/gdb_helpers.py --args test_gdb_helpers
#
# Both modes run test_gdb_helpers to gdb_stop_here, continuing (and telling
# the program to keep stopping, through stop_rounds) until `info goroutines`
# shows its four goroutines blocked (at most MAX_ROUNDS stops). Then:
#
#   live  `info goroutines`, `info sched`, `goroutine N bt` for each of the
#         four goroutines with N read from the listing, the registers of the
#         selected frame before and after failing `goroutine N CMD`s, the
#         error for an unknown id, `goroutine all bt`; then lets the program
#         go on to gdb_all_released.
#   core  gcore, kill, load the core, and there `info goroutines`, `info
#         sched`, `goroutine N bt` for the goroutine in a syscall and for one
#         that is parked (an error on a core file).
#
# Output: sections "=== NAME ===" ... "=== end ===" (a failed command prints
# "ERROR: message" in its section) and lines "ID function goid",
# "GOID function goid" (what the program itself says), "READY round",
# "REGS before|after ...", "REACHED function".
import os
import re

import gdb

MAX_ROUNDS = 300
FUNCS = ("parked_on_chan", "parked_on_mutex", "parked_on_sleep", "blocked_in_syscall")
WANT_STATUS = {"parked_on_chan": "waiting", "parked_on_mutex": "waiting",
               "parked_on_sleep": "waiting", "blocked_in_syscall": "syscall"}
GOID_VAR = {"parked_on_chan": "chan_goid", "parked_on_mutex": "mutex_goid",
            "parked_on_sleep": "sleep_goid", "blocked_in_syscall": "syscall_goid"}
REGS = ("rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15")


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def section(name, cmd=None):
    """Run cmd (default: name) and print its output as section name."""
    print("=== %s ===" % name)
    out = ""
    try:
        out = run(cmd or name)
        print(out, end="" if out.endswith("\n") or not out else "\n")
    except gdb.error as e:
        print("ERROR: %s" % e)
    print("=== end ===")
    return out


def parse_listing(out):
    """{function: (id, status)} from `info goroutines`: the id is the first
    number on the line, the status the word after it."""
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\*?\s*(\d+)\s+(\S+)", line)
        if not m:
            continue
        for fn in FUNCS:
            if re.search(r"\b%s\b" % fn, line):
                found[fn] = (m.group(1), m.group(2))
    return found


def ready(out):
    found = parse_listing(out)
    return all(fn in found and found[fn][1] == WANT_STATUS[fn] for fn in FUNCS)


def regs():
    frame = gdb.newest_frame()
    return " ".join("%s=0x%x" % (r, int(frame.read_register(r))) for r in REGS)


def stop_when_blocked():
    run("break gdb_stop_here")
    run("run")
    listing = ""
    for rnd in range(MAX_ROUNDS):
        try:
            listing = run("info goroutines")
        except gdb.error as e:
            listing = "ERROR: %s" % e
        if ready(listing):
            print("READY %d" % rnd)
            run("set var stop_rounds = 0")
            return
        run("set var stop_rounds = %d" % (rnd + 10))
        run("continue")
    print("NOT READY after %d stops; the last listing:" % MAX_ROUNDS)
    print(listing)
    run("set var stop_rounds = 0")


def ids_from(listing):
    found = parse_listing(listing)
    for fn in FUNCS:
        if fn in found:
            print("ID %s %s" % (fn, found[fn][0]))
    return {fn: v[0] for fn, v in found.items()}


def live():
    stop_when_blocked()
    listing = section("info goroutines")
    section("info sched")
    ids = ids_from(listing)
    for fn in FUNCS:
        print("GOID %s %d" % (fn, int(gdb.parse_and_eval(GOID_VAR[fn]))))
        if fn in ids:
            section("goroutine-bt %s" % fn, "goroutine %s bt" % ids[fn])
            # Where its call to asm_mcall returns: the ABI's 16-byte alignment.
            section("goroutine-sp %s" % fn, "goroutine %s print/x (long)$sp & 15" % ids[fn])
    section("bt-before", "bt")
    print("REGS before %s" % regs())
    chan = ids.get("parked_on_chan", "0")
    # Commands that fail in the goroutine's context: the registers must be
    # back afterwards all the same.
    section("goroutine-bad-cmd", "goroutine %s frame function no_such_function" % chan)
    section("goroutine-bad-cmd2", "goroutine %s no_such_command" % chan)
    section("goroutine-info-frame", "goroutine %s info frame" % chan)
    print("REGS after %s" % regs())
    section("bt-after", "bt")
    section("goroutine-unknown", "goroutine 99999 bt")
    section("goroutine-usage", "goroutine")
    section("goroutine all bt")
    # The program must run on unharmed: release the goroutines, see them
    # finish, and stop at gdb_all_released. (Not on to its exit, where gdb 13
    # sometimes loses a dying thread: "Cannot find user-level thread".)
    run("delete")
    run("break gdb_all_released")
    try:
        run("continue")
        print("REACHED %s" % gdb.selected_frame().name())
    except gdb.error as e:
        print("continue failed: %s" % e)
    run("kill")


def core():
    stop_when_blocked()
    path = os.environ["GDB_HELPERS_CORE"]
    run("gcore %s" % path)
    run("kill")
    run("core-file %s" % path)
    listing = section("core info goroutines", "info goroutines")
    section("core info sched", "info sched")
    ids = ids_from(listing)
    section("core goroutine-bt blocked_in_syscall",
            "goroutine %s bt" % ids.get("blocked_in_syscall", "0"))
    section("core goroutine-bt parked_on_chan",
            "goroutine %s bt" % ids.get("parked_on_chan", "0"))


for setting in ("pagination off", "confirm off", "startup-with-shell off",
                "print thread-events off", "width 0", "height 0"):
    run("set " + setting)

{"live": live, "core": core}[os.environ["GDB_HELPERS_MODE"]]()
