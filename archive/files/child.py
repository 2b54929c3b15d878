"""Running a parser in a child process that is killed when its time runs out.

Parsers of untrusted files can hang, crash or eat memory; each file is parsed in a child
(``fork`` where available, else ``spawn``) with an address-space limit, and its answer comes
back through a pipe. ``run`` waits blocking; ``run_async`` waits on the asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection as mp_connection
import os
from dataclasses import asdict

from .errors import CORRUPT, TIMEOUT, describe
from .kinds import extractor_name
from .model import Extracted

CHILD_EXTRA_MEMORY = 4 << 30  # address space a parsing child may add to what it inherits


# kind → parser(body) → Extracted; filled on first use, replaceable (tests put slow or crashing
# parsers here)
PARSERS: dict = {}


def _parser(kind: str):
    from . import pdf, sheets, word

    for name, parse in (("pdf", pdf.parse), ("docx", word.parse), ("xlsx", sheets.parse_xlsx),
                        ("xls", sheets.parse_xls)):
        PARSERS.setdefault(name, parse)
    return PARSERS[kind]


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run(kind: str, body: bytes, timeout: float) -> Extracted:
    proc, receiver = start(kind, body)
    # wake up on a result or on the child's death (a dead spawn child may leave the pipe open)
    ready = mp_connection.wait([receiver, proc.sentinel], max(timeout, 0.001))
    return collect(kind, proc, receiver, not ready, timeout)


async def run_async(kind: str, body: bytes, timeout: float) -> Extracted:
    proc, receiver = start(kind, body)  # forked from the loop's own thread
    timed_out = not await _readable(receiver, proc.sentinel, timeout)
    return collect(kind, proc, receiver, timed_out, timeout)


async def _readable(receiver, sentinel: int, timeout: float) -> bool:
    """Wait, without blocking the event loop, until the child sends its result or dies."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    fds = (receiver.fileno(), sentinel)
    for fd in fds:
        loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, max(timeout, 0.001))
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        for fd in fds:
            loop.remove_reader(fd)


def start(kind: str, body: bytes):
    parser = _parser(kind)
    preload(kind)  # imported once in the parent, so that forked children start warm
    ctx = _mp_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(kind, parser, body, sender, os.getpid()), name=f"archive-files-{kind}")
    proc.start()
    sender.close()
    return proc, receiver


def collect(kind: str, proc, receiver, timed_out: bool, timeout: float) -> Extracted:
    """The child's answer once it is ready (or the timeout passed): its result, or why none."""
    result = None
    try:
        if timed_out:
            proc.kill()
            return Extracted.failed(kind, TIMEOUT, f"after {timeout:g}s", extractor=extractor_name(kind))
        if receiver.poll():
            try:
                result = receiver.recv()
            except (EOFError, OSError):
                result = None
    finally:
        receiver.close()
        proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)
    if result is None:
        code = proc.exitcode
        reason = "out of memory or killed" if code in (-9, 137) else f"exit code {code}"
        return Extracted.failed(kind, CORRUPT, f"parser crashed ({reason})", extractor=extractor_name(kind))
    return Extracted(**result)


def _child(kind: str, parser, body: bytes, conn, parent: int | None = None) -> None:
    become_helper(parent)
    _limit_memory()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # "could not parse color" and the like
    try:
        out = parser(body)
        if not isinstance(out, Extracted):
            raise TypeError(f"parser returned {type(out).__name__}")
    except BaseException as exc:  # noqa: BLE001 - reported, never raised
        out = Extracted.failed(kind, *describe(exc))
    if not out.extractor:
        out.extractor = extractor_name(kind)
    if out.error_kind:
        out.text, out.tables = "", []
    try:
        conn.send(asdict(out))
    finally:
        conn.close()


PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(parent: int | None) -> None:
    """A parser child must not outlive the crawl that started it (a SIGKILLed crawl would leave
    it parsing at full CPU): the kernel sends it SIGKILL when its parent dies (Linux); if the
    parent is already gone, it ends now."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's collect() still kills on timeout
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


HELPER_NICENESS = 10  # how much lower than the crawl's own a helper process's CPU priority is


def become_helper(parent: int | None, yield_cpu: bool = True) -> None:
    """What every helper process of a crawl (file parser, cleaning worker, the archive's writer)
    does first: die with its parent (``die_with_parent``); leave Ctrl-C to the crawl, which
    finishes what is in hand and then ends its helpers (a parser killed by the terminal's SIGINT
    would store a readable file as unreadable); with ``yield_cpu``, run at a lower CPU priority:
    the crawl's thread is what every download waits on (a response read late is a request sent
    late), while a helper only has to keep up. Measured on 2 cores, helpers at the crawl's priority
    made a 3,000-report crawl ~15 % slower than at this niceness."""
    import signal

    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if yield_cpu:
        try:
            os.nice(HELPER_NICENESS)
        except OSError:  # not allowed here: the same work at the same priority
            pass


def _limit_memory() -> None:
    limit_address_space(CHILD_EXTRA_MEMORY)


def limit_address_space(extra: int) -> None:
    """Cap this process's address space at what it has now plus ``extra`` bytes: past it, an
    allocation fails with MemoryError instead of the machine swapping (Linux; best effort)."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + extra
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except Exception:  # noqa: BLE001 - best effort (no /proc, no resource module)
        pass


def preload(kind: str) -> None:
    """Import the parser's library in the parent, so that forked children start warm."""
    modules = {"pdf": ("pdfplumber", "pypdfium2"), "docx": ("docx",), "xlsx": ("openpyxl",), "xls": ("xlrd",)}
    for module in modules.get(kind, ()):
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 - the child reports it
            pass
