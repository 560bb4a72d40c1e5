"""Read one source file, refusing what is not kernel C text.

Every refusal is a :class:`SourceError` with a one-line reason; the caller
reports it and goes on with the other files.  FIFOs, sockets and device
nodes are refused without being opened (:mod:`lockcheck.frontend.special_files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SourceError", "SourceFile", "read_source", "content_digest", "MAX_BYTES"]

#: Larger files are generated tables, not code worth parsing.
MAX_BYTES = 4 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read as C source (one-line message)."""


@dataclass(frozen=True)
class SourceFile:
    path: str          # as displayed in reports (relative to the tree root)
    text: str
    digest: str        # content hash, for the cache


def content_digest(data: bytes) -> str:
    """A file's content hash (:attr:`SourceFile.digest`)."""
    import hashlib
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_source(path: Path, display: str, max_bytes: int = MAX_BYTES) -> SourceFile:
    from lockcheck.frontend.special_files import NotRegular, read_regular

    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise SourceError(f"{display}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{display}: is a directory") from None
    except NotRegular as exc:   # never opened: a FIFO would block the scan
        raise SourceError(f"{display}: skipped, {exc} is not a regular file") from None
    except OSError as exc:
        raise SourceError(f"{display}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise SourceError(f"{display}: skipped, {len(data) // 1024} KiB is over the "
                          f"{max_bytes // 1024} KiB limit for one source file")
    if b"\0" in data[:65536]:
        raise SourceError(f"{display}: binary file, not C source")
    try:
        text = data.decode("utf-8-sig")  # a leading BOM is not a token
    except UnicodeDecodeError as exc:
        # Kernel sources are UTF-8 but a few carry Latin-1 in comments; accept
        # them decoded as Latin-1 only when the bad bytes are rare.
        if data.count(b"\n") and _mostly_ascii(data):
            text = data.decode("latin-1")
        else:
            raise SourceError(f"{display}: not UTF-8 text (byte {exc.start})") from None
    return SourceFile(display, text, content_digest(data))


def _mostly_ascii(data: bytes) -> bool:
    high = sum(1 for b in data if b >= 0x80)
    return high * 200 < len(data)
