"""Content fingerprints: of each input file, of the whole input, and of the code and schemas
that shape a release (so a code change is a change too)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from qaharvest import __version__
from qaharvest.schema import SCHEMAS_DIR

READ_CHUNK = 1 << 18


def file_digest(path: Path | str) -> str:
    """sha256 of a file's bytes (read unbuffered: most inputs are a few KB, and a buffered
    file object costs more than hashing them; in chunks below `memory`'s mapping threshold,
    or each read of a small file would map and unmap a fresh block)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, READ_CHUNK):
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def code_fingerprint() -> str:
    """Package version, source of the package and every schema and suite file."""
    h = hashlib.sha256(__version__.encode())
    roots = [Path(__file__).parent, SCHEMAS_DIR]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                h.update(path.name.encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def input_fingerprint(digests: dict[str, str]) -> str:
    """sha256 over the sorted (relative path, content sha256) of every input file."""
    h = hashlib.sha256()
    for rel in sorted(digests):
        h.update(f"{rel}\0{digests[rel]}\n".encode())
    return h.hexdigest()
