"""Every file the pipeline reads or writes goes through here: guarded reads (a regular file,
never more than a limit), atomic writes, the lock of an output folder, and paths as users
see them."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def display_path(path: Path) -> str:
    """The path as users see it: relative to the working folder when inside it."""
    try:
        return Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:
        return path.as_posix()


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most `limit + 1` of them (enough to tell that it is too
    large). A FIFO, a device (`/dev/zero`) or a folder raises OSError instead of blocking or
    never ending; the check is made on the open file, so a swapped path cannot slip through."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a device, a pipe or a socket)",
                          str(path))
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_text(path: Path, limit: int) -> str | None:
    """A regular file's text (undecodable bytes replaced), or None when it cannot be read or
    is larger than `limit`: for scans that must never hang on a FIFO or read /dev/zero."""
    try:
        data = read_regular_file(path, limit)
    except OSError:
        return None
    return None if len(data) > limit else data.decode("utf-8", errors="replace")


def read_texts(paths: list[Path], limit: int) -> dict[Path, str]:
    """The text of each readable file (`read_text`), for scans of the whole corpus."""
    texts = {}
    for path in paths:
        text = read_text(path, limit)
        if text is not None:
            texts[path] = text
    return texts


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace (or create) `path` with `data` in one step: a temporary file in the same
    folder, synced (unless not `durable`: a cache that a crash may lose), then `os.replace`.
    An existing file keeps its permission bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_exclusively(path: Path, data: bytes) -> None:
    """Create `path` with `data`, complete or not at all; FileExistsError if it exists (a hard
    link from a temporary file, or an exclusive create where there are no hard links)."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system
            with open(path, "xb") as stream:
                stream.write(data)
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_file(path: Path, data: bytes) -> None:
    """Write a file of a staging folder (made atomic as a whole by the swap)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source`: a hard link (no bytes copied), or a copy
    where links are not possible (another file system, a disk that has none)."""
    try:
        os.link(source, target)
    except OSError:
        import shutil

        shutil.copyfile(source, target)


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[str | None]:
    """Hold an exclusive lock on `lock_path`: yields None when held, or the pid of the holder
    (as text) when another process has it; never waits.

    Never through a symbolic link: a planted `.build.lock -> somewhere` would otherwise have
    that file truncated. The lock is the flock, not the file's content, so the kernel
    releases it when the holder dies, even by SIGKILL."""
    import fcntl

    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    with open(os.open(lock_path, flags, 0o644), "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            yield handle.read().strip() or "another process"
            return
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield None
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
