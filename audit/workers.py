"""Per-photo work on every core: a bounded pool of worker processes, results back to the one process that writes.

SQLite has one writer (inventory/lock.py), so workers never touch the inventory: each gets a job (a photo and
what to do with it), returns what it found, and the caller stores it. At most IN_FLIGHT_PER_WORKER jobs per
worker are out at a time, so memory stays bounded however large the inventory.

Workers are started fresh (spawn), not forked from the caller: the caller holds SQLite connections and may hold
onnxruntime threads, which a forked child must not inherit. A worker that dies (a native crash in a decoder)
costs the photos it had in hand, which become errors to retry on the next run; the rest goes on in a new pool.
A worker whose caller is gone (killed with SIGKILL, which nothing can catch) ends too, within a second.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

WORKERS_VARIABLE = "PHOTO_AUDIT_WORKERS"  # how many processes analyse photos; 1 analyses in this process
IN_FLIGHT_PER_WORKER = 2  # one job being worked on, one waiting: no worker idles while results are stored
# Below this many jobs, starting worker processes (each loads numpy, onnxruntime and dlib) costs more than it saves.
MIN_JOBS_FOR_POOL = 16


_in_worker = False  # set in each worker process: the pool already fills every core


class WorkerDied(Exception):
    """The worker process holding a job ended before returning it."""


def worker_count() -> int:
    """PHOTO_AUDIT_WORKERS when set, else the processors this process may run on."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            pass  # a malformed value is ignored, not fatal: the default is always safe
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def threads_per_process() -> int:
    """How many threads a library (onnxruntime) may use here: one in a worker, every core otherwise."""
    return 1 if _in_worker else worker_count()


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Iterable[Job],
    setup: Callable[..., None],
    setup_args: tuple[Any, ...] = (),
    workers: int | None = None,
) -> Iterator[tuple[Job, Result | WorkerDied]]:
    """(job, work(job)) for every job, in the order they finish; `setup(*setup_args)` runs once in each process
    that does the work. With one worker, or a handful of jobs, everything runs here, in order."""
    workers = worker_count() if workers is None else workers
    jobs = iter(jobs)
    first = _take(jobs, MIN_JOBS_FOR_POOL)
    remaining = itertools.chain(first, jobs)
    if workers < 2 or len(first) < MIN_JOBS_FOR_POOL:
        setup(*setup_args)
        for job in remaining:
            yield job, work(job)
        return
    while True:  # a new pool after a worker died, for the jobs not yet handed out
        died = yield from _pool_pass(work, remaining, setup, setup_args, workers)
        if not died:
            return


def _pool_pass(work, jobs: Iterator, setup, setup_args, workers: int):
    """Hand jobs to one pool until they run out (returns False) or a worker dies (returns True)."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_setup, initargs=(os.getpid(), setup, setup_args)
    )
    in_flight: dict[Future, Any] = {}
    try:
        for job in jobs:
            in_flight[_submit(pool, work, job)] = job
            while len(in_flight) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _collect(in_flight, FIRST_COMPLETED)
        while in_flight:
            yield from _collect(in_flight, FIRST_COMPLETED)
    except BrokenProcessPool:
        for job in in_flight.values():
            yield job, WorkerDied()
        return True
    finally:
        # Ctrl-C or an error in the caller: jobs not started are dropped (a re-run picks them up), the running
        # ones finish and are discarded, and no worker process is left behind.
        pool.shutdown(wait=True, cancel_futures=True)
    return False


def _submit(pool: ProcessPoolExecutor, work: Callable, job: Any) -> Future:
    """pool.submit, which starts the workers: with Ctrl-C held back meanwhile, so that they start with it held
    back and then ignore it (_worker_setup). A worker that a Ctrl-C reached while it started would print a
    traceback on its way out (its job queue cut off midway); this way workers never see one. A Ctrl-C held back
    here is not lost: it reaches this process the moment the submit returns, and the caller stops the pool."""
    if threading.current_thread() is not threading.main_thread():
        return pool.submit(work, job)  # only the main thread may change how signals are handled
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(work, job)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _collect(in_flight: dict[Future, Any], return_when: str) -> Iterator[tuple[Any, Any]]:
    done, _ = wait(in_flight, return_when=return_when)
    for future in done:
        job = in_flight.pop(future)
        try:
            yield job, future.result()
        except BrokenProcessPool:
            in_flight[future] = job  # still unanswered: _pool_pass reports it with the others
            raise


def _worker_setup(caller: int, setup: Callable[..., None], setup_args: tuple[Any, ...]) -> None:
    # Ctrl-C reaches the whole process group: workers start with it held back (_submit), then ignore it and keep
    # to that, whatever started them; the caller alone decides what stops.
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C held back since the start is dropped here, not raised
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threading.Thread(target=_end_with_caller, args=(caller,), daemon=True).start()
    setup(*setup_args)


def _end_with_caller(caller: int) -> None:
    """A worker holds both ends of its job queue, so it never sees its caller go: it looks, every half second
    (from the start: the caller may be gone before the worker has even started)."""
    while os.getppid() == caller:
        time.sleep(0.5)
    os._exit(1)


def _take(jobs: Iterator, count: int) -> list:
    taken = []
    for job in jobs:
        taken.append(job)
        if len(taken) == count:
            break
    return taken
