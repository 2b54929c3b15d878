"""Cleaning off the crawl's thread: a pool of worker processes, each page with a time and memory budget.

Decoding and cleaning a report page (``archive.ingest.examine``) is most of a crawl's CPU. A
crawl hands it to ``Workers``, a pebble process pool sized to the machine (one worker per core),
and awaits the answer on its asyncio loop, so downloads, list pages and storage go on meanwhile
and every core cleans. Each page gets a budget: ``timeout`` seconds of a worker's time and
``memory`` bytes of address space beyond what a worker starts with. A page that exceeds either,
or that kills its worker, is answered with an ``Examined`` that says so (``over_budget``): the
crawl stores it flagged (``versions.incomplete``), its raw bytes kept, never as a clean version.
The worker is replaced; the other pages go on.

Workers are forked from a fork server (``multiprocessing``'s ``forkserver``: a clean process,
started once, that imported the cleaner), never from the crawl's own process, which has threads
and open connections, pipes and files that a forked worker would hold open behind its back (a
connection the crawl closed would stay open; a child's end of a pipe would never be seen to
close). As with any ``spawn``/``forkserver`` child, a script that starts a crawl must guard its
top level with ``if __name__ == "__main__":`` (the worker imports the script's module). Workers
die with the crawl: the fork server ends when the crawl's process does, and each worker is sent
SIGKILL when the fork server ends (``PR_SET_PDEATHSIG``).

Pages travel to the workers in batches: a page waits up to ``WINDOW`` seconds for others (at
most ``BATCH`` in all) and they go as one task, their answers back as one message. Each task
costs the crawl's process and the worker a fixed toll (pebble's messages and their threads, a
wake-up of the crawl's loop) that is a tenth of cleaning a short page; shared by a batch, most of
it goes. The budget still holds page by page: a batch's task gets one page's budget, and when it
goes over it (or its worker dies, or a page in it raises) each of its pages is run again alone,
with a budget of its own, so the page at fault gets the same verdict as before and the others
their answers. A batch begins no page after a quarter of its budget (the rest go alone), so slow
pages are not all lost with it; a page over ``BATCH_MAX_BYTES`` goes alone (its cleaning dwarfs
the toll). A page that arrives alone (a crawl with a delay between requests) goes alone, at once
when the window ends. Pages are counted per asyncio loop (``backlog``, ``room``): a crawl waits
for its own pages, never for those of a loop that is gone.

One pool serves every crawl of a process (``shared``): a test session or ``scrapy crawlall``
starts it once.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import pebble

from .clean import Cleaned
from .decode import DecodeError, decode_html
from .http import header_value
from .ingest import Examined, examine

DEFAULT_TIMEOUT = 60.0  # seconds of cleaning per page
DEFAULT_MEMORY = 1 << 30  # bytes of address space a worker may add while cleaning one page
MAX_TASKS = 2000  # pages per worker before it is replaced (whatever a long crawl fragments, it gives back)
BATCH = 8  # pages sent to a worker in one task, at most
WINDOW = 0.02  # seconds a page waits for others to share its task
BATCH_MAX_BYTES = 128 * 1024  # a larger page goes alone: its cleaning dwarfs the toll a batch saves


class CleaningError(RuntimeError):
    """The cleaner itself failed on a page (a defect, not a property of the page)."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Budget:
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY

    def describe_timeout(self) -> str:
        return f"cleaning took longer than its {self.timeout:g} s budget"

    def describe_memory(self) -> str:
        return f"cleaning needed more than its {self.memory >> 20} MB memory budget"


def process_context():
    """Where the crawl's helper processes (cleaning workers, the archive's writer) come from: a
    fork server that imported the cleaner and the store once (``spawn`` where there is none)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["archive.workers", "archive.writer"])
    return context


def _start_worker(memory: int) -> None:
    """In each worker, before its first page: a helper of the crawl (dies with the fork server,
    leaves Ctrl-C to the crawl, yields the CPU), within its address space."""
    from .files.child import become_helper, limit_address_space

    become_helper(None)
    limit_address_space(memory)


def _ready() -> int:
    return os.getpid()


OUT_OF_MEMORY = 75  # a worker's exit status after a page ran out of its memory budget


def _examine_in_worker(status: int, headers: Mapping, body: bytes, url: str | None,
                       containers: Sequence[str]) -> Examined:
    try:
        result = examine(status, headers, body, url, containers)
    except MemoryError:
        # what is left of this process cannot be trusted with the next page: it ends, and the
        # pool starts a fresh worker with a fresh budget
        os._exit(OUT_OF_MEMORY)
    if result.decoded is not None:  # the whole page decoded: not needed by the caller, not worth the pipe
        result.decoded = replace(result.decoded, text="")
    return result


def _examine_batch(pages: Sequence[tuple], budget: float) -> list[Examined | None]:
    """Several pages in one task: each one's answer, or None for a page to be run again alone —
    one that raised (alone, its error travels as it always did), or one not begun because the
    batch has used a quarter of its budget (slow pages are not all lost when a later one breaks
    the batch's budget)."""
    started = time.monotonic()
    answers: list[Examined | None] = []
    for page in pages:
        if answers and time.monotonic() - started > budget / 4:
            answers.append(None)
            continue
        try:
            answers.append(_examine_in_worker(*page))
        except MemoryError:  # outside the cleaner itself: this process is not to be trusted either
            os._exit(OUT_OF_MEMORY)
        except Exception:  # noqa: BLE001 - the page is run again alone
            answers.append(None)
    return answers


class Workers:
    """A process pool that examines pages (``examine``) within a ``Budget``."""

    def __init__(self, processes: int | None = None, budget: Budget = Budget(), max_tasks: int = MAX_TASKS,
                 batch: int = BATCH, window: float = WINDOW, batch_max_bytes: int = BATCH_MAX_BYTES):
        self.processes = processes or _cores()
        self.budget = budget
        self.batch, self.window, self.batch_max_bytes = max(1, batch), window, batch_max_bytes
        context = process_context()
        # pebble replaces a worker after so many tasks: ``max_tasks`` pages in full batches, fewer
        # when pages go alone (0: never)
        tasks = max(1, max_tasks // self.batch) if max_tasks else 0
        self._pool = pebble.ProcessPool(max_workers=self.processes, max_tasks=tasks,
                                        initializer=_start_worker, initargs=(budget.memory,), context=context)
        self._waiting: list[tuple[tuple, asyncio.Future]] = []  # pages waiting for the batch's window to end
        self._timer: asyncio.TimerHandle | None = None
        self._backlog: dict[asyncio.AbstractEventLoop, int] = {}  # loop → its pages not answered yet
        self._room: list[asyncio.Future] = []  # who waits for the backlog to shrink (``room``)

    def start(self) -> None:
        """Start the workers now (pebble starts them with the first task, in the caller's thread:
        a crawl does it before its first request, not between two requests to one host)."""
        self._pool.schedule(_ready)

    async def examine(self, status: int, headers: Mapping, body: bytes, url: str | None,
                      containers: Sequence[str] = ()) -> Examined:
        """``archive.ingest.examine`` in a worker, awaited on the running asyncio loop. A page
        over budget comes back flagged (``over_budget``); a defect of the cleaner raises
        ``CleaningError``."""
        page = (status, dict(headers), body, url, tuple(containers))
        loop = asyncio.get_running_loop()
        self._backlog[loop] = self._backlog.get(loop, 0) + 1
        try:
            if self.batch > 1 and len(body) <= self.batch_max_bytes:
                answer = await self._in_batch(page)
                if answer is not None:
                    return answer
            return await self._alone(page)
        finally:
            left = self._backlog.pop(loop) - 1
            if left:
                self._backlog[loop] = left
            self._make_room(loop)

    @property
    def backlog(self) -> int:
        """Pages handed over on the running loop (outside one: on any) and not answered yet."""
        try:
            return self._backlog.get(asyncio.get_running_loop(), 0)
        except RuntimeError:
            return sum(self._backlog.values())

    async def room(self, limit: int) -> None:
        """Return once fewer than ``limit`` pages of this loop wait for their answer: a crawl that
        downloads faster than its pages are cleaned waits here, instead of holding ever more pages."""
        while self.backlog >= limit:
            waiter = asyncio.get_running_loop().create_future()
            self._room.append(waiter)
            await waiter

    def _make_room(self, loop: asyncio.AbstractEventLoop) -> None:
        """A page of ``loop`` was answered: whoever waits on that loop looks again at the backlog."""
        waiting = []
        for waiter in self._room:
            if waiter.get_loop() is not loop:
                waiting.append(waiter)
            elif not waiter.done():
                waiter.set_result(None)
        self._room = waiting

    async def _alone(self, page: tuple) -> Examined:
        """One page in a task of its own, within its budget."""
        future = self._pool.schedule(_examine_in_worker, args=page, timeout=self.budget.timeout)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            reason = self.budget.describe_timeout()
        except MemoryError:
            reason = self.budget.describe_memory()
        except pebble.ProcessExpired as exc:
            reason = (self.budget.describe_memory() if exc.exitcode == OUT_OF_MEMORY
                      else f"the cleaning process died ({_death(exc.exitcode)})")
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - a defect in the cleaner, reported with its page
            raise CleaningError(f"{type(exc).__name__}: {exc}") from exc
        _, headers, body, *_ = page
        return await asyncio.to_thread(over_budget, headers, body, reason)

    # --- batches ---------------------------------------------------------------------------------
    def _in_batch(self, page: tuple) -> asyncio.Future:
        """The page's answer from a batch, or None: the page is to be run alone."""
        loop = asyncio.get_running_loop()
        if self._waiting and self._waiting[0][1].get_loop() is not loop:
            self._send()  # pages of another loop (or one that is gone): not mixed with this loop's
        waiter = loop.create_future()
        self._waiting.append((page, waiter))
        if len(self._waiting) >= self.batch:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(self.window, self._send)
        return waiter

    def _send(self) -> None:
        """The pages waiting, as one task (a page alone is run as before)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # not the cancelled, nor those of a loop closed under them (nobody can await them)
        pages = [(page, waiter) for page, waiter in self._waiting
                 if not waiter.done() and not waiter.get_loop().is_closed()]
        self._waiting = []
        if len(pages) < 2:
            for _, waiter in pages:
                _answer(waiter, None)
            return
        loop = pages[0][1].get_loop()
        try:
            task = self._pool.schedule(_examine_batch, args=([page for page, _ in pages], self.budget.timeout),
                                       timeout=self.budget.timeout)
        except Exception:  # noqa: BLE001 - the pool cannot take it: each page alone says why
            for _, waiter in pages:
                _answer(waiter, None)
            return

        def done(task) -> None:  # in pebble's thread: one wake-up of the loop for the whole batch
            try:
                loop.call_soon_threadsafe(self._answered, task, pages)
            except RuntimeError:  # the loop is closed: nobody waits for these pages any more
                pass

        task.add_done_callback(done)

    @staticmethod
    def _answered(task, pages: list[tuple[tuple, asyncio.Future]]) -> None:
        try:
            answers = task.result()
        except BaseException:  # noqa: BLE001 - over budget, a worker's death: each page alone, its own budget
            answers = [None] * len(pages)
        for (_, waiter), answer in zip(pages, answers):
            _answer(waiter, answer)

    def close(self) -> None:
        self._pool.stop()
        self._pool.join()


def _answer(waiter: asyncio.Future, answer) -> None:
    """Set a waiting page's answer on its own loop (from another, through that loop's queue)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    loop = waiter.get_loop()
    if loop is running:
        if not waiter.done():
            waiter.set_result(answer)
        return
    try:
        loop.call_soon_threadsafe(lambda: waiter.done() or waiter.set_result(answer))
    except RuntimeError:  # closed meanwhile: nobody waits for it
        pass


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}" + (", out of memory or killed" if code == -9 else "")
    return f"exit code {code}"


def over_budget(headers: Mapping, body: bytes, reason: str) -> Examined:
    """What is kept of a page whose cleaning went over budget: its decoding (the bytes are kept
    with the version) and no text, flagged with the reason."""
    try:
        decoded = replace(decode_html(body, header_value(headers, "Content-Type")), text="")
    except DecodeError:
        decoded = None
    return Examined("page", decoded=decoded, cleaned=Cleaned(text="", extractor="none", incomplete=reason))


_shared: Workers | None = None
_lock = threading.Lock()


def shared(processes: int | None = None, budget: Budget = Budget(), batch: int = BATCH) -> Workers:
    """The process's pool (started on first use, kept for later crawls; a new one when asked for
    another size, budget or batch)."""
    global _shared
    with _lock:
        wanted = processes or _cores()
        if _shared is not None and (_shared.processes, _shared.budget, _shared.batch) != (wanted, budget, max(1, batch)):
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = Workers(wanted, budget, batch=batch)
        return _shared


@atexit.register
def _close_shared() -> None:
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None
