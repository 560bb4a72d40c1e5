"""Cache entries sealed with a per-user secret, so a planted one never runs code.

Cache entries are pickles, and unpickling runs whatever code the bytes
name.  A cache directory is not always the user's alone: CI restores it
from an artifact other pull requests wrote, teams share one on NFS.  So
every entry carries an HMAC-SHA256 of its kind, key and bytes under a
secret only this user can read; an entry whose tag does not match is
discarded unread (never unpickled) and counted.

The secret lives outside every cache directory:
``$LOCKCHECK_CACHE_KEY_FILE`` if set, else ``$XDG_CONFIG_HOME/lockcheck/cache-key``
(``~/.config/lockcheck/cache-key``).  It is made on first use (32 random
bytes, mode 0600, in a directory made 0700) and refused when another user
owns it, when group or others may access it, or when it sits inside the
cache directory it would vouch for.  See docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from lockcheck.errors import InputError

__all__ = ["KEY_ENV", "key_path", "load_secret", "tagger", "tag", "TAG_BYTES", "HEADER", "seal", "unseal"]

KEY_ENV = "LOCKCHECK_CACHE_KEY_FILE"
#: Every sealed entry starts with this, then the tag, then the payload.
MAGIC = b"LCSEAL1\n"
TAG_BYTES = 32
HEADER = len(MAGIC) + TAG_BYTES

_SECRETS: dict[str, bytes] = {}


def key_path() -> Path:
    explicit = os.environ.get(KEY_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lockcheck" / "cache-key"


def load_secret(cache_root: Path | None = None) -> bytes:
    """This user's secret, made on first use.  InputError (one line) when
    the file is not one only this user controls, or lies inside
    ``cache_root``; OSError when it can neither be read nor made."""
    path = key_path()
    if cache_root is not None:
        _refuse_inside(path, Path(cache_root))
    cached = _SECRETS.get(str(path))
    if cached is not None:
        return cached
    try:
        secret = _read(path)
    except FileNotFoundError:
        secret = _create(path)
    _SECRETS[str(path)] = secret
    return secret


def _refuse_inside(path: Path, root: Path) -> None:
    p, r = os.path.realpath(path), os.path.realpath(root)
    if p == r or p.startswith(r.rstrip(os.sep) + os.sep):
        raise InputError(f"{path}: the cache key must not lie inside the cache directory {root} "
                         f"(set {KEY_ENV} elsewhere)")


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{path}: the cache key is not a regular file")
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise InputError(f"{path}: the cache key belongs to another user (uid {st.st_uid})")
        if st.st_mode & 0o077:
            raise InputError(f"{path}: the cache key is readable or writable by others "
                             f"(mode {stat.S_IMODE(st.st_mode):o}; chmod 600 it)")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    if len(data) < 16:
        raise InputError(f"{path}: the cache key is too short ({len(data)} bytes; remove it to make a new one)")
    return data


def _create(path: Path) -> bytes:
    os.makedirs(path.parent, mode=0o700, exist_ok=True)
    secret = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:   # a concurrent run made it first
        return _read(path)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret


def tagger(secret: bytes, kind: str, key: str):
    """An HMAC-SHA256 to feed an entry's payload to: its kind and key are
    bound too, so a valid entry copied under another key is refused."""
    return hmac.new(secret, f"{kind}\0{key}\0".encode(), hashlib.sha256)


def tag(secret: bytes, kind: str, key: str, payload) -> bytes:
    mac = tagger(secret, kind, key)
    mac.update(payload)
    return mac.digest()


def seal(secret: bytes, kind: str, key: str, payload: bytes) -> bytes:
    return MAGIC + tag(secret, kind, key, payload) + payload


def unseal(secret: bytes, kind: str, key: str, data: bytes) -> memoryview | None:
    """The payload of a sealed entry, or None when the seal does not hold."""
    view = memoryview(data)
    if len(data) < HEADER or view[:len(MAGIC)] != MAGIC:
        return None
    payload = view[HEADER:]
    if not hmac.compare_digest(tag(secret, kind, key, payload), view[len(MAGIC):HEADER]):
        return None
    return payload
