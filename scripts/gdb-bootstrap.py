# scripts/gdb-bootstrap.py: walk a schedlab executable's bootstrap in gdb.
#
#   gdb -q -batch -x scripts/gdb-bootstrap.py --args PROGRAM [ARGS]
#
# Stops at the ELF entry point (read from `info file` after `starti`, so it
# is the relocated address of a PIE), then at the first hit of each of
# rt0_go, schedinit, procresize, mstart, schedule and sl_main, printing one
# line per stop:
#
#   STOP <function> <file>:<line>
#
# Each breakpoint is deleted after its first hit (procresize and schedule run
# many times; only the first matters). After sl_main the program is killed.
# The last line is "WALK OK" when all 7 stops were seen, else
# "WALK INCOMPLETE: missing ..." and gdb exits with status 1.
# runtime/test/gdb_walk.sh checks the order of the STOP lines.
import os
import re

import gdb

FUNCTIONS = ["rt0_go", "schedinit", "procresize", "mstart", "schedule", "sl_main"]
ENTRY_NAME = "_rt0_amd64_linux"


def run(cmd):
    return gdb.execute(cmd, to_string=True)


for setting in (
    "pagination off",
    "confirm off",
    # Run the program directly, not through $SHELL: nothing to expand, and
    # the sanitizer runtimes see the program itself as the first exec.
    "startup-with-shell off",
    "print thread-events off",
):
    run("set " + setting)

run("starti")
# Let every thread run on `continue` (only settable once there is a process).
run("set scheduler-locking off")

m = re.search(r"Entry point: (0x[0-9a-fA-F]+)", run("info file"))
if not m:
    print("WALK INCOMPLETE: no 'Entry point:' in `info file`")
    gdb.execute("quit 1")
entry = int(m.group(1), 16)
print("ENTRY 0x%x" % entry)

# breakpoint number -> the name it stands for
pending = {}
b = gdb.Breakpoint("*0x%x" % entry, internal=False)
pending[b.number] = ENTRY_NAME
for fn in FUNCTIONS:
    b = gdb.Breakpoint(fn, internal=False)
    pending[b.number] = fn

last_stop = [None]
gdb.events.stop.connect(lambda ev: last_stop.__setitem__(0, ev))
exited = [False]
gdb.events.exited.connect(lambda ev: exited.__setitem__(0, True))


def frame_name(frame):
    sym = frame.function()
    return sym.name if sym is not None else (frame.name() or "??")


def where(label):
    """(function, file, line) of the stop, as seen from function `label`.

    The thread that hit the breakpoint is the selected one. A breakpoint on a
    function's first line can land inside a function inlined there (mstart
    starts with getg()); step out of such inline frames to the function the
    breakpoint was set on, whose line is then the inlined call's.
    """
    frame = gdb.selected_frame()
    while (
        frame_name(frame) != label
        and frame.type() == gdb.INLINE_FRAME
        and frame.older() is not None
    ):
        frame = frame.older()
    sal = frame.find_sal()
    if sal.symtab is not None:
        return frame_name(frame), os.path.basename(sal.symtab.filename), sal.line
    return frame_name(frame), "??", 0


seen = []
while "sl_main" not in seen and not exited[0]:
    last_stop[0] = None
    try:
        gdb.execute("continue")
    except gdb.error as e:
        print("continue failed: %s" % e)
        break
    ev = last_stop[0]
    if exited[0] or ev is None:
        break
    if not isinstance(ev, gdb.BreakpointEvent):
        continue  # a signal the program handles itself; go on
    for bp in ev.breakpoints:
        label = pending.pop(bp.number, None)
        if label is None:
            continue
        fn, path, line = where(label)
        print("STOP %s %s:%d" % (fn, path, line))
        seen.append(label)
        bp.delete()

if not exited[0]:
    try:
        run("kill")
    except gdb.error:
        pass

missing = [n for n in [ENTRY_NAME] + FUNCTIONS if n not in seen]
if missing:
    print("WALK INCOMPLETE: missing %s" % " ".join(missing))
    gdb.execute("quit 1")
print("WALK OK")
