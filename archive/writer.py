"""The archive written from a process of its own, so that storing is off the crawl's thread.

A crawl's thread downloads, walks list pages and hands report pages to the cleaning workers
(``archive.workers``); storing what comes back — SQLite inserts and the trigram index, the
statistics tables' figures, payload compression, JSON — was a quarter of that thread's time.
``Writer`` keeps an ``Archive`` open in one child process and runs its methods there, one at a
time, in the order they were submitted; each call is answered by a future (what the method
returned, or the exception it raised: a full disk is the same ``sqlite3.OperationalError`` as
before). Calls travel over one pipe, as many in a message as are waiting: a thread sends, a
thread receives, so the crawl's thread never waits on the pipe (``concurrent.futures``' process
pool, tried first, spent 210 µs of the crawl's CPU per call in its two extra threads — as much as a
small write itself). Nothing else changes: the child commits in groups as a crawl's ``Archive`` did
(``Archive.batch``), the spider's reading connection sees what is committed, and two crawls on one
archive take the write lock in turn.

The child comes from the same fork server as the cleaning workers and keeps the crawl's CPU
priority (the workers yield theirs: ``files.child.become_helper``): niced too, it fell behind on
two busy cores, and the items waiting for it grew the crawl's memory (to 700 writes waiting and
144 MB, from 108, at 10,000 reports). It ignores Ctrl-C (the crawl closes it in order) and ends,
without committing, when its end of the pipe closes: a crawl that is killed loses the group of
writes it had not committed, as it did when it wrote from its own thread, and nothing else. If the
child itself dies, every call still waiting fails with ``WriterGone``; the crawl stops as on any
storage failure.

``Writer(path, in_process=True)`` runs the same calls in the caller's thread (for a debugger, or
where processes cannot be started). One writer per archive file per process (``shared``): a second
writer of the same file in one process would wait on the first one's open group.
"""

from __future__ import annotations

import itertools
import os
import pickle
import queue
import threading
from concurrent.futures import Future

from .store import Archive

__all__ = ["Writer", "WriterGone"]

_CLOSE = "__close__"  # the last call: commit, close, say what the process used


class WriterGone(RuntimeError):
    """The writer's process ended (killed, out of memory): nothing more is stored through it."""


def _key(path: str | os.PathLike) -> str:
    return os.path.realpath(os.fspath(path))


def _portable(exc: BaseException) -> BaseException:
    """The exception as the caller will see it: itself when it crosses a pipe, else its words."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _usage() -> dict:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def _serve(conn, path: str) -> None:
    """The writer's process: open the archive, then answer each message of calls in order."""
    from .files.child import become_helper

    become_helper(None, yield_cpu=False)  # the crawl closes it in order; at the crawl's priority (above)
    try:
        archive = Archive(path)
    except BaseException as exc:  # noqa: BLE001 - handed to the caller
        conn.send([(0, False, _portable(exc))])
        return
    conn.send([(0, True, os.getpid())])
    while True:
        try:
            calls = conn.recv()
        except (EOFError, OSError):
            os._exit(1)  # the crawl is gone: what is not committed is lost, never half-written
        answers, closing = [], False
        for call_id, method, args, kwargs in calls:
            try:
                if method == _CLOSE:
                    archive.close()
                    answers.append((call_id, True, _usage()))
                    closing = True
                else:
                    answers.append((call_id, True, getattr(archive, method)(*args, **kwargs)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                answers.append((call_id, False, _portable(exc)))
        conn.send(answers)
        if closing:
            return


class Writer:
    """An ``Archive`` whose methods run in a process of their own, in the order submitted."""

    def __init__(self, path: str | os.PathLike, in_process: bool = False):
        self.path = os.fspath(path)
        self.in_process = in_process
        if in_process:
            self._archive = Archive(self.path)  # ArchiveError as Archive(path) raises it
            self.pid = os.getpid()
            return
        from .workers import process_context

        context = process_context()
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, self.path), name="archive-writer", daemon=True)
        self._process.start()
        theirs.close()
        try:
            (_, ok, value), = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join()
            raise WriterGone(f"the archive's writer process ended as it started (exit code "
                             f"{self._process.exitcode})") from exc
        if not ok:
            self._process.join()
            raise value
        self.pid: int = value  # the process that writes
        self._futures: dict[int, Future] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._gone: str | None = None
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._send, name="archive-writer-send", daemon=True),
                         threading.Thread(target=self._receive, name="archive-writer-receive", daemon=True)]
        for thread in self._threads:
            thread.start()

    def submit(self, method: str, *args, **kwargs) -> Future:
        """Run ``Archive.<method>(*args, **kwargs)`` after every call submitted before it."""
        future: Future = Future()
        if self.in_process:
            try:
                future.set_result(getattr(self._archive, method)(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)
            return future
        with self._lock:
            if self._gone is not None:
                future.set_exception(WriterGone(self._gone))
                return future
            call_id = next(self._ids)
            self._futures[call_id] = future
        self._outbox.put((call_id, method, args, kwargs))
        return future

    def call(self, method: str, *args, **kwargs):
        """``submit`` and wait for the answer."""
        return self.submit(method, *args, **kwargs).result()

    def _send(self) -> None:
        """Every call waiting, in one message."""
        while True:
            calls = [self._outbox.get()]
            while True:
                try:
                    calls.append(self._outbox.get_nowait())
                except queue.Empty:
                    break
            stop = calls[-1] is None
            calls = [c for c in calls if c is not None]
            if calls:
                try:
                    self._conn.send(calls)
                except (OSError, ValueError) as exc:  # the pipe is closed: the process is gone
                    self._fail(f"the archive's writer process ended ({exc})")
                    return
                except Exception as exc:  # noqa: BLE001 - a call that cannot be pickled: nothing was sent
                    for call_id, *_ in calls:
                        with self._lock:
                            future = self._futures.pop(call_id, None)
                        if future is not None:
                            future.set_exception(exc)
            if stop:
                return

    def _receive(self) -> None:
        while True:
            try:
                answers = self._conn.recv()
            except (EOFError, OSError):
                self._process.join(5)
                self._fail(f"the archive's writer process ended (exit code {self._process.exitcode})")
                return
            for call_id, ok, value in answers:
                with self._lock:
                    future = self._futures.pop(call_id, None)
                if future is None:
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _fail(self, reason: str) -> None:
        with self._lock:
            if self._gone is None:
                self._gone = reason
            waiting, self._futures = list(self._futures.values()), {}
        for future in waiting:
            if not future.done():
                future.set_exception(WriterGone(reason))

    def close(self) -> dict | None:
        """Commit what is pending, close the archive and end the child: the CPU seconds and peak
        memory the child used (None when writing in this process)."""
        if self.in_process:
            self._archive.close()
            return None
        try:
            return self.submit(_CLOSE).result()
        finally:
            self._outbox.put(None)
            self._process.join(30)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._conn.close()
            for thread in self._threads:
                thread.join(5)

    # --- one writer per file in a process ------------------------------------------------------
    _shared: dict[str, tuple["Writer", int]] = {}
    _shared_lock = threading.Lock()  # not ``_lock``: each writer's own (its futures) has that name

    @classmethod
    def shared(cls, path: str | os.PathLike, in_process: bool = False) -> "Writer":
        """The process's writer of the archive at ``path`` (started on first use); give it back
        with ``release``."""
        key = _key(path)
        with cls._shared_lock:
            writer, users = cls._shared.get(key, (None, 0))
            if writer is None:
                writer = cls(path, in_process)
            cls._shared[key] = (writer, users + 1)
            return writer

    def release(self) -> dict | None:
        """Done with a ``shared`` writer: closed by its last user (``close``'s answer; None for
        the others)."""
        key = _key(self.path)
        with self._shared_lock:
            writer, users = self._shared.get(key, (None, 0))
            if writer is self and users > 1:
                self._shared[key] = (writer, users - 1)
                return None
            if writer is self:
                del self._shared[key]
        return self.close()
