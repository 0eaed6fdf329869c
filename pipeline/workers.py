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
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start,
                             initargs=(job,)) as executor:
        yield executor
