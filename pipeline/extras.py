"""Optional dependencies: what each extra gives, and one clear usage error when a command
needs one that cannot be imported, before any work is done.

The extras (`pyproject.toml`): `pdf` (Typst sets the print edition and the books, pikepdf
packs the PDF's objects) and `dask` (Dask distributed: `publish --scheduler`). A module that
is installed but cannot be loaded (a native library that will not load raises OSError)
counts as missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Extra:
    name: str  # the extra in pyproject.toml
    module: str  # what must import: `load` returns it
    needed_for: str  # what needs it, for the message
    without: str  # what still works without it
    also: tuple[str, ...] = ()  # other modules of the extra that must import too


PDF = Extra("pdf", "typst", "the pdf output (print editions and books)",
            "publish --formats html,json works without it", also=("pikepdf",))
DASK = Extra("dask", "distributed", "publishing on a Dask cluster (--scheduler)",
             "publish without --scheduler runs on this machine")


class MissingExtra(Exception):
    """One or more optional dependencies cannot be imported: exit 2, nothing done."""


def load(extra: Extra) -> ModuleType:
    """Import `extra`'s module (ImportError, or OSError for a library that will not load)."""
    return importlib.import_module(extra.module)


def problem(extra: Extra) -> str | None:
    """Why `extra`'s modules cannot be imported, or None when they can."""
    for module in (extra.module, *extra.also):
        try:
            importlib.import_module(module)
        except (ImportError, OSError) as error:  # OSError: a native library that won't load
            return f"{module} cannot be imported ({type(error).__name__}: {error})"
    return None


def require(*extras: Extra) -> None:
    """Raise MissingExtra naming every one of `extras` that cannot be imported, the extra
    to install and what works without it."""
    missing = [(extra, why) for extra in extras if (why := problem(extra)) is not None]
    if not missing:
        return
    lines = [f"{extra.needed_for} needs {' and '.join((extra.module, *extra.also))}: {why}; "
             f"install it with: pip install '.[{extra.name}]' ({extra.without})"
             for extra, why in missing]
    raise MissingExtra("; ".join(lines))
