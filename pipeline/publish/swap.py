"""The staging folder and the swap: a build is made beside the previous one and put in its
place in one step, so a failure at any point before leaves the previous build as it was.

Every file of a build is written into the staging folder by `stage_file`; unchanged
articles' files are hard-linked from the previous build (`reuse`); `swap_in` exchanges the
two folders atomically (renameat2) or, where that is not supported, by two renames that
`recover` completes after a crash between them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from pipeline.fsio import link_or_copy, write_file


def staging_folder(out: Path) -> Path:
    return out.parent / f".{out.name}.staging-{os.getpid()}"


def stage_file(staging: Path, relative: str, data: bytes) -> str:
    """Write one file of the build into the staging folder; its sha256, for the manifest."""
    write_file(staging / relative, data)
    return hashlib.sha256(data).hexdigest()


def link_file(staging: Path, relative: str, source: Path, sha256: str | None) -> str:
    """Put a file of the previous build into the staging folder unchanged (a hard link, a
    copy if need be); its sha256, hashed when the previous manifest did not give it."""
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    link_or_copy(source, target)
    if sha256 is None:
        sha256 = hashlib.sha256(target.read_bytes()).hexdigest()
    return sha256


def reuse(out: Path, staging: Path, files: Iterable[str]) -> bool:
    """Hard-link the unchanged articles' files from the previous build (copy if need be);
    False if one is missing or names a path outside the build."""
    made: set[Path] = set()
    for relative in files:
        source, target = out / relative, staging / relative
        if Path(relative).is_absolute() or ".." in Path(relative).parts or not source.is_file():
            return False
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        link_or_copy(source, target)
    return True


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    status = function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if status != 0:
        errno = ctypes.get_errno()
        import errno as codes

        if errno in (codes.ENOSYS, codes.EINVAL):
            return False
        raise OSError(errno, os.strerror(errno), str(a))
    return True


def swap_in(staging: Path, out: Path) -> None:
    """Put the staged build in place of the old one in one step; then drop the old one."""
    _fsync_tree(staging)
    if not out.exists():
        os.rename(staging, out)
        return
    if exchange(staging, out):
        remove(staging)  # now holds the previous build
        return
    old = out.parent / f".{out.name}.old"
    remove(old)
    os.rename(out, old)
    os.rename(staging, out)
    remove(old)


def recover(out: Path) -> None:
    """After a crash between the two renames of the fallback swap, put the old build back;
    drop the staging folders of publishes that died."""
    old = out.parent / f".{out.name}.old"
    if old.exists() and not out.exists():
        os.rename(old, out)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        remove(stale)


def _fsync_tree(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
