"""Worker processes for checking and rendering many articles.

Workers are started fresh ("spawn"), not forked: a forked worker would carry, and count in
its memory, whatever the parent holds; a fresh one holds only what its own articles need.
Each receives the job (configuration and shared indexes) once, when it starts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any


@contextmanager
def pool(workers: int, start: Callable[[Any], None], job: Any) -> Iterator[ProcessPoolExecutor]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_started,
                             initargs=(start, job)) as executor:
        yield executor


# Roughly what one article costs a worker, in CPU seconds (docs/benchmarks.md has the
# measured figures): a check, a render to HTML and JSON, a render that includes the PDF.
CHECK_SECONDS = 0.006
RENDER_SECONDS = 0.025
PDF_SECONDS = 0.07
# The work a worker takes at a time: little enough that no worker idles long at the end
# while another finishes its last batch, enough that handing batches over costs little.
BATCH_SECONDS = 0.5


def batch_size(items: int, workers: int, seconds_each: float) -> int:
    """How many of `items` articles to hand a worker at a time."""
    return max(1, min(items // (workers * 16), round(BATCH_SECONDS / seconds_each)))


def _started(start: Callable[[Any], None], job: Any) -> None:
    _die_with_parent()
    start(job)
    _collect_less()


# An article makes tens of thousands of short-lived objects (tokens, views), freed by their
# reference counts; the cyclic collector's default (a pass every 700 allocations, over every
# young object) cost about 7% of a check. What the worker imported and received stays.
GC_THRESHOLD = (50_000, 10, 10)


def _collect_less() -> None:
    import gc

    gc.collect()
    gc.freeze()  # the modules and the job: never traversed again
    gc.set_threshold(*GC_THRESHOLD)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when its parent dies (even by SIGKILL), so
    no orphan goes on writing into a staging folder that nobody will swap in."""
    import os
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)
