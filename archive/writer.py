"""The archive written from a process of its own, so that storing is off the crawl's thread.

A crawl's thread downloads, walks list pages and hands report pages to the cleaning workers
(``archive.workers``); storing what comes back — SQLite inserts and the trigram index, the
statistics tables' figures, payload compression, JSON — was a quarter of that thread's time.
``Writer`` keeps an ``Archive`` open in one child process and runs its methods there, one at a
time, in the order they were submitted; each call is answered by a future (what the method
returned, or the exception it raised: a full disk is the same ``sqlite3.OperationalError`` as
before). Nothing else changes: the child commits in groups as a crawl's ``Archive`` did
(``Archive.batch``), the spider's reading connection sees what is committed, and two crawls on one
archive take the write lock in turn.

The child comes from the same fork server as the cleaning workers and keeps the crawl's CPU
priority (the workers yield theirs: ``files.child.lower_priority``): niced too, it fell behind on
two busy cores, and the items waiting for it grew the crawl's memory (to 700 writes waiting and
144 MB, from 108, at 10,000 reports). It dies with the crawl (``PR_SET_PDEATHSIG``): a crawl
that is killed loses the group of writes it had not committed, as it did when it wrote from its
own thread, and nothing else. If the child itself dies, every
call still waiting fails with ``BrokenProcessPool``; the crawl stops as on any storage failure.

``Writer(path, in_process=True)`` runs the same calls in the caller's thread (for a debugger, or
where processes cannot be started). One writer per archive file per process (``shared``): a second
writer of the same file in one process would wait on the first one's open group.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .store import Archive

__all__ = ["BrokenProcessPool", "Writer"]

_open: dict[str, Archive] = {}  # in the process that writes: archive file → its Archive


def _key(path: str | os.PathLike) -> str:
    return os.path.realpath(os.fspath(path))


def _start_child(crawl: int) -> None:
    """In the writer, first: die with the fork server, and with the process it writes for.
    The latter needs watching: a child of the fork server is not that process's child, and it
    holds its own call queue's writing end, so no end of file ever tells it that the process died."""
    from .files.child import die_with_parent

    die_with_parent(None)
    threading.Thread(target=_end_with, args=(crawl,), name="writer-watch", daemon=True).start()


def _end_with(pid: int) -> None:
    """Wait for process ``pid`` to end, then end this one without committing (as if both had died
    together: the group of writes in hand is lost, never half-written)."""
    import select
    import time

    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: look every half second
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _open_archive(path: str) -> int:
    key = _key(path)
    if key not in _open:
        _open[key] = Archive(path)
    return os.getpid()


def _call(path: str, method: str, args: tuple, kwargs: dict):
    return getattr(_open[_key(path)], method)(*args, **kwargs)


def _close_archive(path: str, in_child: bool) -> dict | None:
    """Commit and close; in the writer's own process, the CPU seconds and peak memory it used
    (figures of a crawl)."""
    import resource

    archive = _open.pop(_key(path), None)
    if archive is not None:
        archive.close()  # commits what is pending
    if not in_child:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


class Writer:
    """An ``Archive`` whose methods run in a process of their own, in the order submitted."""

    def __init__(self, path: str | os.PathLike, in_process: bool = False):
        from .workers import process_context

        self.path = os.fspath(path)
        self.in_process = in_process
        self._pool = None if in_process else ProcessPoolExecutor(1, mp_context=process_context(),
                                                                 initializer=_start_child, initargs=(os.getpid(),))
        try:  # ArchiveError as Archive(path) raises it
            self.pid: int = self._run(_open_archive, self.path).result()  # the process that writes
        except BaseException:
            self._shutdown()
            raise

    def _run(self, fn, *args) -> Future:
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    def submit(self, method: str, *args, **kwargs) -> Future:
        """Run ``Archive.<method>(*args, **kwargs)`` after every call submitted before it."""
        return self._run(_call, self.path, method, args, kwargs)

    def call(self, method: str, *args, **kwargs):
        """``submit`` and wait for the answer."""
        return self.submit(method, *args, **kwargs).result()

    def close(self) -> dict | None:
        """Commit what is pending, close the archive and end the child: the CPU seconds and peak
        memory the child used (None when writing in this process)."""
        try:
            return self._run(_close_archive, self.path, self._pool is not None).result()
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    # --- one writer per file in a process ------------------------------------------------------
    _shared: dict[str, tuple["Writer", int]] = {}
    _lock = threading.Lock()

    @classmethod
    def shared(cls, path: str | os.PathLike, in_process: bool = False) -> "Writer":
        """The process's writer of the archive at ``path`` (started on first use); give it back
        with ``release``."""
        key = _key(path)
        with cls._lock:
            writer, users = cls._shared.get(key, (None, 0))
            if writer is None:
                writer = cls(path, in_process)
            cls._shared[key] = (writer, users + 1)
            return writer

    def release(self) -> dict | None:
        """Done with a ``shared`` writer: closed by its last user (``close``'s answer; None for
        the others)."""
        key = _key(self.path)
        with self._lock:
            writer, users = self._shared.get(key, (None, 0))
            if writer is self and users > 1:
                self._shared[key] = (writer, users - 1)
                return None
            if writer is self:
                del self._shared[key]
        return self.close()
