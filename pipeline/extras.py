"""Optional dependencies: what each extra gives, and one clear usage error when a command
needs one that cannot be imported, before any work is done.

The extras (`pyproject.toml`): `pdf` (WeasyPrint: the print edition and the books) and
`dask` (Dask distributed: `publish --scheduler`). A module that is installed but cannot be
loaded (WeasyPrint without its Pango libraries raises OSError) counts as missing.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Extra:
    name: str  # the extra in pyproject.toml
    module: str  # what must import
    needed_for: str  # what needs it, for the message
    without: str  # what still works without it
    c_libraries: bool = False  # loads C libraries by name (ctypes.util.find_library)


PDF = Extra("pdf", "weasyprint", "the pdf output (print editions and books)",
            "publish --formats html,json works without it", c_libraries=True)
DASK = Extra("dask", "distributed", "publishing on a Dask cluster (--scheduler)",
             "publish without --scheduler runs on this machine")


class MissingExtra(Exception):
    """One or more optional dependencies cannot be imported: exit 2, nothing done."""


def load(extra: Extra) -> ModuleType:
    """Import `extra`'s module (ImportError or OSError if it cannot be); one that loads C
    libraries by name (WeasyPrint) with them looked up in the linker's cache read once
    (`_linker_cache_lookup`)."""
    if not extra.c_libraries or extra.module in sys.modules:
        return importlib.import_module(extra.module)
    lookup = _linker_cache_lookup()
    if lookup is None:
        return importlib.import_module(extra.module)
    import ctypes.util

    usual = ctypes.util.find_library
    try:
        ctypes.util.find_library = lookup  # type: ignore[assignment]
        # WeasyPrint prints advice before it raises when a library is missing: the second
        # import below, the usual way, says it if the library is really missing
        with contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module(extra.module)
    except OSError:
        pass
    finally:
        ctypes.util.find_library = usual
    return importlib.import_module(extra.module)  # with gcc and ld too, as WeasyPrint does


# ctypes.util's names for the C library's ABI in `ldconfig -p` (any other machine: "libc6")
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def _linker_cache_lookup() -> Callable[[str], str | None] | None:
    """`ctypes.util.find_library` answered from one reading of `ldconfig -p`, or None where
    there is no such cache (not Linux, no /sbin/ldconfig).

    WeasyPrint tries up to six names for each of its seven C libraries, and cffi asks
    `find_library` about every name it cannot open; on Linux that runs ldconfig, then gcc,
    then ld, each time: about 0.2 s of every process that makes PDFs. This asks the one
    listing with ctypes' own pattern; a name the cache does not hold is not found, and
    WeasyPrint goes on to its next name.
    """
    if not sys.platform.startswith("linux") or not os.path.exists("/sbin/ldconfig"):
        return None
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 env={"LC_ALL": "C", "LANG": "C"}, timeout=30,
                                 check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if not listing:
        return None
    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = _ABI.get(os.uname().machine + bits, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"),
                          listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


def problem(extra: Extra) -> str | None:
    """Why `extra`'s module cannot be imported, or None when it can."""
    try:
        load(extra)
    except (ImportError, OSError) as error:  # OSError: a missing system library (Pango)
        return f"{type(error).__name__}: {error}"
    return None


def require(*extras: Extra) -> None:
    """Raise MissingExtra naming every one of `extras` that cannot be imported, the extra
    to install and what works without it."""
    missing = [(extra, why) for extra in extras if (why := problem(extra)) is not None]
    if not missing:
        return
    lines = [f"{extra.needed_for} needs {extra.module}, which cannot be imported ({why}); "
             f"install it with: pip install '.[{extra.name}]' ({extra.without})"
             for extra, why in missing]
    raise MissingExtra("; ".join(lines))
