# scripts/schedlab-gdb.py: gdb commands for programs built on the schedlab
# runtime, in the manner of Go's runtime-gdb.py.
#
# Loading. Any of:
#   (gdb) source scripts/schedlab-gdb.py            by hand, or in a .gdbinit
#   gdb -x scripts/schedlab-gdb.py PROGRAM          on the command line
#   automatically: libschedlab puts a .debug_gdb_scripts entry naming this
#     file (by its absolute path in the source tree) into every program
#     (runtime/core/gdb_scripts.c). gdb loads it if the file is under the
#     auto-load safe path; allow it once in ~/.gdbinit with
#       add-auto-load-safe-path /path/to/schedlab/scripts/schedlab-gdb.py
#     (`info auto-load python-scripts` shows whether it was found and loaded).
#
# Commands:
#   info goroutines
#       One line per goroutine that is not dead: id, status, wait reason (as
#       Go prints it: [chan receive]), the M and P it is on, the function it
#       was started with, and where it is: the function and file:line of its
#       saved context, or of the innermost frame of the thread that runs it.
#       The goroutine that runs on the selected thread is marked with '*'.
#   goroutine N CMD...  /  goroutine all CMD...
#       Run the gdb command CMD (bt, info frame, frame 3, info locals...) in
#       goroutine N's context. N is any expression. A goroutine that runs on a
#       thread (running, syscall): on that thread. A parked or runnable one:
#       frame 0's registers (rip, rsp, rbp, rbx, r12-r15) are set from its
#       saved context for the command and put back afterwards, also when the
#       command fails. Inspect only: do not resume the program from inside.
#       `goroutine all bt` does every goroutine in turn.
#   info sched
#       The scheduler: sched's counters, every P (status, M, local run queue
#       and runnext), every M (id, curg, P, spinning, blocked, its thread), the
#       idle P and idle M lists and the global run queue.
#
# Everything is read through the debug information of the runtime's globals
# (allgs/allglen, allp/gomaxprocs, allm, sched, the thread-local tls_g), so
# the program needs -g (every preset has it), at any optimization level; no
# function in the program is called. Works on live processes and on core
# files (goroutine N CMD only for goroutines that run on a thread there: a
# core file's registers cannot be changed).
#
# A saved context (asm_amd64.S) is one stack pointer sp, with from sp upward
#   sp+0 x87 cw, sp+8 MXCSR, sp+16 r15, +24 r14, +32 r13, +40 r12, +48 rbx,
#   +56 rbp, +64 return address
# so the goroutine resumes with rip = [sp+64], rsp = sp+72 and those
# callee-saved registers: exactly the state gdb needs to unwind it. Frame 0
# of a parked goroutine is that resume point, just after the call into the
# switch in mcall (often an inlined getg); gopark is a few frames up.
#
# Works with the gdb of Debian 12 (13.1, Python 3.11) and later.

import struct

import gdb

# The fallbacks, from runtime/core/runtime2.h, for builds whose debug
# information lacks the enum types (a compiler may drop unused enums).
_GSTATUS_DEFAULT = {0: "idle", 1: "runnable", 2: "running", 3: "syscall", 4: "waiting",
                    5: "moribund_unused", 6: "dead"}
_PSTATUS_DEFAULT = {0: "idle", 1: "running", 2: "syscall", 3: "gcstop", 4: "dead"}
_G_RUNNING, _G_SYSCALL, _G_WAITING, _G_DEAD, _G_IDLE = 2, 3, 4, 6, 0
# goroutine.c's waitreasonnames by enum name, for builds where the compiler
# left no readable copy of that array (clang makes it a relative lookup
# table). A name not here is spelled out from the enum: waitReasonFooBar is
# "foo bar".
_WAITREASON_BY_NAME = {
    "waitReasonZero": "", "waitReasonSemacquire": "semacquire", "waitReasonSleep": "sleep",
    "waitReasonTest": "test park", "waitReasonChanReceive": "chan receive",
    "waitReasonChanSend": "chan send", "waitReasonChanReceiveNilChan": "chan receive (nil chan)",
    "waitReasonChanSendNilChan": "chan send (nil chan)", "waitReasonSelect": "select",
    "waitReasonSelectNoCases": "select (no cases)", "waitReasonSyncMutexLock": "sync.Mutex.Lock",
    "waitReasonSyncWaitGroupWait": "sync.WaitGroup.Wait", "waitReasonTimerChan": "timer chan",
}

# The saved context's layout, as above.
_CTX_REGS = ("r15", "r14", "r13", "r12", "rbx", "rbp")  # at sp+16, +24, ...
_CTX_SIZE = 72  # bytes from sp to the goroutine's rsp once resumed
_SWITCHED_REGS = ("rip", "rsp", "rbp", "rbx", "r12", "r13", "r14", "r15")

# Where the runtime defines each global (runtime/core): tried first, as
# 'file'::name, so that a same-named symbol elsewhere (a static in another
# file, a user's global once the runtime's are localized) is not taken.
_DEFINED_IN = {
    "allgs": "goroutine.c", "allglen": "goroutine.c", "waitreasonnames": "goroutine.c",
    "sched": "proc.c", "allp": "proc.c", "allpcount": "proc.c", "gomaxprocs": "proc.c",
    "allm": "proc.c", "tls_g": "switch.c",
}


class NoRuntime(gdb.GdbError):
    pass


def _plain_errors(invoke):
    """A command's gdb errors as plain messages (without gdb's "Error
    occurred in Python:"), whether from the runtime's state or from the
    command run in a goroutine's context."""

    def wrapper(self, arg, from_tty):
        try:
            return invoke(self, arg, from_tty)
        except gdb.GdbError:
            raise
        except gdb.error as e:  # gdb.MemoryError too
            raise gdb.GdbError(str(e)) from None

    wrapper.__doc__ = invoke.__doc__
    return wrapper


def _struct_tag(t):
    t = t.strip_typedefs()
    return t.tag if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) else None


def _ptr_to(tag, depth=1):
    """A check for a type that is `struct tag` behind depth pointers."""

    def check(t):
        for _ in range(depth):
            t = t.strip_typedefs()
            if t.code != gdb.TYPE_CODE_PTR:
                return False
            t = t.target()
        return _struct_tag(t) == tag

    return check


def _is_int(t):
    return t.strip_typedefs().code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM)


def _is_array(t):
    return t.strip_typedefs().code == gdb.TYPE_CODE_ARRAY


_EXPECT = {
    "allgs": _ptr_to("g", 2),
    "allglen": _is_int,
    "allp": _is_array,
    "allpcount": _is_int,
    "gomaxprocs": _is_int,
    "allm": _ptr_to("m"),
    "sched": lambda t: _struct_tag(t) == "schedt",
    "tls_g": _ptr_to("g"),
    "waitreasonnames": _is_array,
}


def _lookup(name, frame=None, required=True):
    """The runtime global `name` as a gdb.Value, found through the debug
    information: 'file.c'::name first, then the global and static symbol
    tables, then the plain name, accepting only a value of the expected
    type. frame: for thread-local variables, a frame of the thread wanted."""
    check = _EXPECT.get(name, lambda t: True)
    candidates = []
    if name in _DEFINED_IN:
        candidates.append(lambda: gdb.parse_and_eval("'%s'::%s" % (_DEFINED_IN[name], name)))

    def from_symbol(lookup):
        # An extern declaration (runtime.h) is found too: LOC_UNRESOLVED,
        # its address from the ELF symbol table, local symbols included.
        sym = lookup(name)
        if sym is None or sym.is_function or sym.addr_class == gdb.SYMBOL_LOC_TYPEDEF:
            return None
        return sym.value(frame) if sym.needs_frame else sym.value()

    candidates.append(lambda: from_symbol(gdb.lookup_global_symbol))
    candidates.append(lambda: from_symbol(gdb.lookup_static_symbol))
    # Last, in the scope of the selected frame (type-checked like the rest).
    candidates.append(lambda: gdb.parse_and_eval(name))
    last_error = None
    for get in candidates:
        try:
            v = get()
        except gdb.MemoryError:
            raise
        except gdb.error as e:
            last_error = e
            continue
        if v is not None and check(v.type):
            return v
    if not required:
        return None
    if name == "allgs":
        raise NoRuntime(
            "schedlab: this program has no schedlab runtime, or no debug information for it "
            "(no variable 'allgs' of type struct g ** found; build with -g)")
    raise gdb.GdbError("schedlab: cannot read the runtime's '%s'%s" %
                       (name, ": %s" % last_error if last_error else ""))


def _check_process():
    """A live process or a core file to read; a helpful error otherwise."""
    _lookup("allgs")  # NoRuntime first: that is the bigger problem
    inf = gdb.selected_inferior()
    if inf.pid == 0 or not inf.threads():
        raise gdb.GdbError(
            "schedlab: the program is not running: run it (break somewhere first), attach to "
            "it, or load a core file (`core FILE`)")


def _is_core():
    conn = getattr(gdb.selected_inferior(), "connection", None)
    return conn is not None and conn.type == "core"


def _enum_names(typename, prefix, default, lower=True):
    """{value: name less prefix} of an enum type in the debug information."""
    try:
        t = gdb.lookup_type(typename)
        names = {int(f.enumval): f.name[len(prefix):]
                 for f in t.fields() if f.name.startswith(prefix)}
        if lower:
            names = {k: v.lower() for k, v in names.items()}
        return names or default
    except gdb.error:
        return default


def _camel_to_words(s):
    out = []
    for ch in s:
        if ch.isupper() and out:
            out.append(" ")
        out.append(ch.lower())
    return "".join(out)


class _Runtime:
    """One snapshot of the runtime's state, read when a command runs."""

    def __init__(self):
        _check_process()
        self.gstatus = _enum_names("enum gstatus", "_G", _GSTATUS_DEFAULT)
        self.pstatus = _enum_names("enum pstatus", "_P", _PSTATUS_DEFAULT)
        self._waitreasons = None
        self.inferior = gdb.selected_inferior()

    # ---- goroutines ----
    def allgs(self):
        """Every G in allgs, dead ones included, as gdb.Values (struct g *)."""
        allgs = _lookup("allgs")
        n = int(_lookup("allglen"))
        if int(allgs) == 0 or n <= 0:
            return []
        return [allgs[i] for i in range(n)]

    def live_gs(self):
        return [gp for gp in self.allgs() if int(gp["atomicstatus"]) not in (_G_DEAD, _G_IDLE)]

    def find_g(self, goid):
        for gp in self.allgs():
            if int(gp["goid"]) == goid:
                if int(gp["atomicstatus"]) in (_G_DEAD, _G_IDLE):
                    raise gdb.GdbError("schedlab: goroutine %d is dead" % goid)
                return gp
        raise gdb.GdbError("schedlab: no goroutine %d (`info goroutines` lists them)" % goid)

    def status_name(self, s):
        return self.gstatus.get(s, "unknown(%d)" % s)

    def waitreason(self, r):
        if self._waitreasons is None:
            self._waitreasons = {}
            arr = _lookup("waitreasonnames", required=False)
            if arr is not None:
                lo, hi = arr.type.strip_typedefs().range()
                for i in range(lo, hi + 1):
                    try:
                        if int(arr[i]) != 0:
                            self._waitreasons[i] = arr[i].string()
                    except gdb.error:
                        pass
            if not any(self._waitreasons.values()):  # fall back to the enum's names
                for i, name in _enum_names("enum waitreason", "waitReason", {}, False).items():
                    self._waitreasons[i] = _WAITREASON_BY_NAME.get("waitReason" + name,
                                                                    _camel_to_words(name))
        return self._waitreasons.get(r, "waitreason %d" % r)

    # ---- Ms and Ps ----
    def allm(self):
        ms, seen = [], set()
        mp = _lookup("allm")
        while int(mp) != 0 and int(mp) not in seen and len(ms) < 100000:
            seen.add(int(mp))
            ms.append(mp)
            mp = mp["alllink"]
        return ms

    def allp(self):
        allp = _lookup("allp")
        n = int(_lookup("gomaxprocs"))
        return [allp[i] for i in range(n) if int(allp[i]) != 0]

    def sched(self):
        return _lookup("sched")

    # ---- threads ----
    def thread_gs(self):
        """{gdb thread: address of the G it runs (a g0 or a goroutine)}.

        Read from the thread-local tls_g of each thread; where that cannot be
        read, the G whose stack holds the thread's stack pointer."""
        result = {}
        stacks = None
        with _SavedSelection():
            for th in sorted(self.inferior.threads(), key=lambda t: t.num):
                if not th.is_valid():
                    continue
                th.switch()
                frame = gdb.newest_frame()
                g = None
                try:
                    v = _lookup("tls_g", frame=frame, required=False)
                    if v is not None and int(v) != 0:
                        g = int(v)
                except gdb.error:
                    g = None
                if g is None:
                    if stacks is None:
                        stacks = self._stack_ranges()
                    sp = int(frame.read_register("rsp"))
                    g = next((a for lo, hi, a in stacks if lo <= sp < hi), None)
                if g is not None:
                    result[th] = g
        return result

    def m_threads(self, thread_gs=None):
        """{address of an M: the gdb thread that runs it}, through the G each
        thread runs (its m field)."""
        gptr = gdb.lookup_type("struct g").pointer()
        result = {}
        for th, g in (thread_gs if thread_gs is not None else self.thread_gs()).items():
            try:
                m = int(gdb.Value(g).cast(gptr)["m"])
            except gdb.error:
                continue
            if m:
                result[m] = th
        return result

    def _stack_ranges(self):
        out = []
        gs = list(self.allgs()) + [mp["g0"] for mp in self.allm() if int(mp["g0"]) != 0]
        for gp in gs:
            try:
                out.append((int(gp["stack"]["lo"]), int(gp["stack"]["hi"]), int(gp)))
            except gdb.error:
                pass
        return out


class _SavedSelection:
    """Restores the selected thread and frame on exit, whatever happened."""

    def __enter__(self):
        self.thread = gdb.selected_thread()
        try:
            self.frame = gdb.selected_frame()
        except gdb.error:
            self.frame = None
        return self

    def __exit__(self, *exc):
        if self.thread is not None and self.thread.is_valid():
            self.thread.switch()
            if self.frame is not None and self.frame.is_valid():
                try:
                    self.frame.select()
                except gdb.error:
                    pass
        return False


def _g_id(gp):
    return "G%d" % int(gp["goid"]) if int(gp) != 0 else "-"


def _m_id(mp):
    return "M%d" % int(mp["id"]) if int(mp) != 0 else "-"


def _p_id(pp):
    return "P%d" % int(pp["id"]) if int(pp) != 0 else "-"


def _basename(path):
    return path.rsplit("/", 1)[-1]


def _describe_pc(pc, is_return_address=True):
    """`function file:line` for a code address."""
    if pc == 0:
        return "pc 0"
    # A return address's line is the call's: look one byte back (a fresh
    # goroutine's entry address is no return address).
    look = pc - 1 if is_return_address else pc
    name = None
    try:
        block = gdb.block_for_pc(look)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            name = block.function.print_name
    except RuntimeError:
        pass
    if name is None:
        try:
            sym = gdb.execute("info symbol 0x%x" % pc, to_string=True).split()
            name = sym[0] if sym and sym[0] != "No" else None
        except gdb.error:
            pass
    where = name or "0x%x" % pc
    sal = gdb.find_pc_line(look)
    if sal.symtab is not None and sal.line:
        return "%s %s:%d" % (where, _basename(sal.symtab.filename), sal.line)
    lib = gdb.solib_name(pc)
    return "%s (%s)" % (where, _basename(lib)) if lib else where


def _describe_frame(frame):
    name = frame.name() or "0x%x" % frame.pc()
    sal = frame.find_sal()
    if sal.symtab is not None and sal.line:
        return "%s %s:%d" % (name, _basename(sal.symtab.filename), sal.line)
    lib = gdb.solib_name(frame.pc())
    return "%s (%s)" % (name, _basename(lib)) if lib else name


def _saved_context(gp):
    """{register: value} to resume gp from its saved context."""
    sp = int(gp["sched"]["sp"])
    if sp == 0:
        raise gdb.GdbError("schedlab: goroutine %d has not started: no stack, no frames yet"
                           % int(gp["goid"]))
    try:
        words = struct.unpack("<9Q", bytes(gdb.selected_inferior().read_memory(sp, _CTX_SIZE)))
    except gdb.MemoryError as e:
        raise gdb.GdbError("schedlab: goroutine %d: cannot read its saved context at 0x%x: %s"
                           % (int(gp["goid"]), sp, e))
    regs = dict(zip(_CTX_REGS, words[2:8]))
    regs["rip"] = words[8]
    regs["rsp"] = sp + _CTX_SIZE
    return regs


def _entry_address():
    try:
        return int(gdb.parse_and_eval("(long)&asm_goroutine_entry"))
    except gdb.error:
        return None


def _fn_name(gp):
    fn = int(gp["fn"])
    if fn == 0:
        return "-"
    try:
        block = gdb.block_for_pc(fn)
        if block is not None and block.function is not None:
            return block.function.print_name
    except RuntimeError:
        pass
    return "0x%x" % fn


class InfoGoroutines(gdb.Command):
    """List the goroutines: id, status, [wait reason], M, P, start function, where.

Usage: info goroutines
The goroutine that runs on the selected thread is marked with '*'. Where is
the function and file:line of the goroutine's saved context (a parked or
runnable goroutine) or of the innermost frame of its thread (running, syscall).
Use `goroutine N bt` for a goroutine's backtrace."""

    def __init__(self):
        super().__init__("info goroutines", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    @_plain_errors
    def invoke(self, arg, from_tty):
        rt = _Runtime()
        gs = rt.live_gs()
        thread_gs = rt.thread_gs()
        cur_thread = gdb.selected_thread()
        cur_g = thread_gs.get(cur_thread)
        m_thread = rt.m_threads(thread_gs)
        entry = _entry_address()
        rows = []
        for gp in gs:
            try:
                rows.append(self._row(rt, gp, cur_g, m_thread, entry))
            except (gdb.error, gdb.GdbError, ValueError, OverflowError) as e:
                rows.append(("", "?", "?", "", "", "", "",
                             "<cannot read the g at 0x%x: %s>" % (int(gp), e)))
        if not rows:
            print("No goroutines (the runtime has not started yet).")
            return
        header = ("", "Id", "Status", "Wait reason", "M", "P", "Function", "Where")
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
        for r in [header] + rows:
            print(" ".join(c.ljust(w) for c, w in zip(r, widths)) + " " + r[-1])

    @staticmethod
    def _row(rt, gp, cur_g, m_thread, entry):
        status = int(gp["atomicstatus"])
        wait = ""
        if status == _G_WAITING:
            wait = "[%s]" % rt.waitreason(int(gp["waitreason"]))
        mp = gp["m"]
        m, p = "-", "-"
        thread = None
        if int(mp) != 0:
            m = _m_id(mp)
            p = _p_id(mp["p"])
            thread = m_thread.get(int(mp))
        if status in (_G_RUNNING, _G_SYSCALL) and thread is not None:
            with _SavedSelection():
                thread.switch()
                where = _describe_frame(gdb.newest_frame())
            where += "  (thread %d)" % thread.num
        elif status in (_G_RUNNING, _G_SYSCALL):
            where = "? (no thread of the program runs %s)" % m
        elif int(gp["sched"]["sp"]) == 0:
            where = "not started"  # a stack comes with the first run
        else:
            regs = _saved_context(gp)
            if entry is not None and regs["rip"] == entry:
                where = "not started"
            else:
                where = _describe_pc(regs["rip"])
        mark = "*" if cur_g == int(gp) else ""
        return (mark, str(int(gp["goid"])), rt.status_name(status), wait, m, p, _fn_name(gp),
                where)


def _set_registers(regs):
    """Write regs ({name: int}) into frame 0 of the selected thread."""
    for name, value in regs.items():
        # Registers are written through the selected frame: frame 0 is the
        # thread's own registers (any other frame's are its saved copies).
        gdb.newest_frame().select()
        gdb.parse_and_eval("$%s = %d" % (name, value))


class GoroutineCmd(gdb.Command):
    """Run a gdb command in a goroutine's context.

Usage: goroutine N CMD...     (N: a goroutine id, any expression)
       goroutine all CMD...   (every goroutine in turn)
For example: goroutine 5 bt, goroutine 5 info frame, goroutine all bt.

A goroutine that runs on a thread (running, syscall): CMD runs on that thread.
A parked or runnable one: frame 0's registers are set from the goroutine's
saved context while CMD runs, and restored afterwards, even if CMD fails.
Inspect only: do not resume the program with CMD. On a core file only
goroutines that run on a thread can be looked at."""

    def __init__(self):
        super().__init__("goroutine", gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    @_plain_errors
    def invoke(self, arg, from_tty):
        parts = arg.strip().split(None, 1)
        if len(parts) < 2:
            raise gdb.GdbError("usage: goroutine N CMD... | goroutine all CMD...")
        which, cmd = parts
        rt = _Runtime()
        if which == "all":
            gs = rt.live_gs()
            for gp in gs:
                status = int(gp["atomicstatus"])
                what = (rt.waitreason(int(gp["waitreason"])) if status == _G_WAITING
                        else rt.status_name(status))
                print("\ngoroutine %d [%s]:" % (int(gp["goid"]), what))
                try:
                    self.run_in(rt, gp, cmd, from_tty)
                except (gdb.error, gdb.GdbError) as e:
                    print("error: %s" % e)
            return
        try:
            goid = int(gdb.parse_and_eval(which))
        except gdb.error as e:
            raise gdb.GdbError("schedlab: bad goroutine id '%s': %s" % (which, e))
        self.run_in(rt, rt.find_g(goid), cmd, from_tty)

    @staticmethod
    def run_in(rt, gp, cmd, from_tty):
        goid = int(gp["goid"])
        status = int(gp["atomicstatus"])
        if status in (_G_RUNNING, _G_SYSCALL):
            mp = gp["m"]
            thread = rt.m_threads().get(int(mp)) if int(mp) != 0 else None
            if thread is None:
                raise gdb.GdbError("schedlab: goroutine %d is %s on %s, but no thread of the "
                                   "program runs that M" % (goid, rt.status_name(status),
                                                           _m_id(mp)))
            with _SavedSelection():
                thread.switch()
                gdb.execute(cmd, from_tty)
            return
        if _is_core():
            raise gdb.GdbError(
                "schedlab: goroutine %d is %s: its backtrace needs its saved registers in "
                "frame 0, and a core file's registers cannot be changed (run the program "
                "live; `info goroutines` shows where it is parked)"
                % (goid, rt.status_name(status)))
        regs = _saved_context(gp)
        saved = _SavedSelection().__enter__()
        frame0 = gdb.newest_frame()
        old = {name: int(frame0.read_register(name)) for name in _SWITCHED_REGS}
        try:
            _set_registers(regs)
            gdb.execute(cmd, from_tty)
        finally:
            # CMD may have switched threads: back to ours before restoring.
            try:
                if saved.thread is not None and saved.thread.is_valid():
                    saved.thread.switch()
                _set_registers(old)
            except gdb.error as e:  # the process is gone (CMD resumed it?)
                print("schedlab: could not restore the registers of thread %s: %s"
                      % (saved.thread.num if saved.thread else "?", e))
            saved.__exit__(None, None, None)


class InfoSched(gdb.Command):
    """Show the scheduler: sched, the Ps, the Ms, the idle lists, the global run queue.

Usage: info sched"""

    def __init__(self):
        super().__init__("info sched", gdb.COMMAND_STATUS, gdb.COMPLETE_NONE)

    @_plain_errors
    def invoke(self, arg, from_tty):
        rt = _Runtime()
        sched = rt.sched()
        ps = rt.allp()
        ms = sorted(rt.allm(), key=lambda mp: int(mp["id"]))
        gomaxprocs = int(_lookup("gomaxprocs"))
        allpcount = _lookup("allpcount", required=False)

        def f(name):
            try:
                return str(int(sched[name]))
            except gdb.error:
                return "?"

        print("sched: gomaxprocs=%d npidle=%s nmspinning=%s threads=%d nmidle=%s "
              "nmidlelocked=%s nmsys=%s mnext=%s maxmcount=%s runqsize=%s goidgen=%s "
              "gcwaiting=%s stopwait=%s"
              % (gomaxprocs, f("npidle"), f("nmspinning"), len(ms), f("nmidle"),
                 f("nmidlelocked"), f("nmsys"), f("mnext"), f("maxmcount"), f("runqsize"),
                 f("goidgen"), f("gcwaiting"), f("stopwait")))
        if allpcount is not None and int(allpcount) > gomaxprocs:
            print("  (%d more P%s beyond gomaxprocs, dead)"
                  % (int(allpcount) - gomaxprocs, "s" if int(allpcount) - gomaxprocs > 1 else ""))

        print("Ps:")
        for pp in ps:
            head, tail = int(pp["runqhead"]), int(pp["runqtail"])
            n = (tail - head) & 0xFFFFFFFF
            size = pp["runq"].type.strip_typedefs().range()[1] + 1
            queued = [_g_id(pp["runq"][(head + i) % size]) for i in range(min(n, 8))]
            if n > 8:
                queued.append("...")
            timers = ""
            try:
                timers = " timers=%d" % int(pp["ntimers"])
            except gdb.error:
                pass
            print("  %-5s %-8s m=%-5s runq=%d%s runnext=%s schedtick=%d syscalltick=%d "
                  "gfree=%d%s"
                  % (_p_id(pp), rt.pstatus.get(int(pp["status"]), "?%d" % int(pp["status"])),
                     _m_id(pp["m"]), n, " [%s]" % " ".join(queued) if queued else "",
                     _g_id(pp["runnext"]), int(pp["schedtick"]), int(pp["syscalltick"]),
                     int(pp["gFree"]["n"]), timers))

        thread_of = rt.m_threads()
        print("Ms:")
        for mp in ms:
            extra = []
            if int(mp["oldp"]) != 0:
                extra.append("oldp=%s" % _p_id(mp["oldp"]))
            if int(mp["locks"]) != 0:
                extra.append("locks=%d" % int(mp["locks"]))
            fn = int(mp["mstartfn"])
            if fn != 0:
                extra.append("mstartfn=%s" % _describe_pc(fn, False).split()[0])
            th = thread_of.get(int(mp))
            thread = ("thread %d (LWP %d)" % (th.num, th.ptid[1]) if th is not None
                      else "no thread")
            print("  %-5s p=%-5s curg=%-5s spinning=%-5s blocked=%-5s %s%s"
                  % (_m_id(mp), _p_id(mp["p"]), _g_id(mp["curg"]),
                     "true" if bool(mp["spinning"]) else "false",
                     "true" if bool(mp["blocked"]) else "false", thread,
                     "".join(" " + e for e in extra)))

        idle_ps, pp = [], sched["pidle"]
        while int(pp) != 0 and len(idle_ps) <= len(ps):
            idle_ps.append(_p_id(pp))
            pp = pp["link"]
        print("idle Ps (npidle=%s): %s" % (f("npidle"), " ".join(idle_ps) or "none"))
        idle_ms, mp = [], sched["midle"]
        while int(mp) != 0 and len(idle_ms) <= len(ms):
            idle_ms.append(_m_id(mp))
            mp = mp["schedlink"]
        print("idle Ms (nmidle=%s): %s" % (f("nmidle"), " ".join(idle_ms) or "none"))
        runq, gp = [], sched["runq"]["head"]
        while int(gp) != 0 and len(runq) < 100000:
            runq.append(_g_id(gp))
            gp = gp["schedlink"]
        shown = runq[:16] + (["..."] if len(runq) > 16 else [])
        print("global run queue (runqsize=%s): %s" % (f("runqsize"), " ".join(shown) or "empty"))


InfoGoroutines()
GoroutineCmd()
InfoSched()
