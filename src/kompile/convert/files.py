"""Host files that become ConfigMap or Secret data: bind-mounted files, configs, secrets.

These are the only files the mapping reads besides the compose files. A ConfigMap or
Secret stores at most 1 MiB (the API server's limit on an object stored in etcd), so
larger contents are rejected here with a hint instead of producing an object that the
API server would also reject. File contents never appear in messages.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from kompile.errors import ConversionError, KeyPath, Location

MAX_OBJECT_DATA = 1024 * 1024
# Data keys of ConfigMaps and Secrets: alphanumerics, "-", "_" and ".".
_INVALID_KEY_CHARACTERS = re.compile(r"[^-._a-zA-Z0-9]+")
# PEM blocks of private keys, which belong in a Secret rather than a ConfigMap.
PRIVATE_KEY_MARK = b"PRIVATE KEY-----"


@dataclass(frozen=True)
class FileData:
    """The contents of some files, keyed by a valid data key, split text from binary."""

    data: dict[str, str]
    binary_data: dict[str, str]
    size: int
    looks_secret: bool


def data_key(name: str) -> str:
    """Return ``name`` as a valid ConfigMap or Secret key."""
    key = _INVALID_KEY_CHARACTERS.sub("-", name).strip("-")
    return key if key not in ("", ".", "..") else "file"


def read_bytes(path: Path, location: Location, key_path: KeyPath) -> bytes:
    """Read one host file, raising a one-line `ConversionError` when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConversionError(
            f"file {path} not found", location=location, key_path=key_path
        ) from None
    except OSError as error:
        raise ConversionError(
            f"file {path} cannot be read: {error.strerror}",
            location=location,
            key_path=key_path,
        ) from None


def folder_files(folder: Path) -> dict[str, Path] | None:
    """Return the regular files directly in ``folder``, or None when it has subfolders."""
    files: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            return None
        if entry.is_file():
            files[entry.name] = entry
    return files


def file_data(contents: dict[str, bytes]) -> FileData:
    """Split file contents into text ``data`` and base64 ``binaryData`` by key."""
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    for name, content in contents.items():
        key = data_key(name)
        try:
            data[key] = content.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(content).decode("ascii")
    return FileData(
        data,
        binary,
        sum(len(content) for content in contents.values()),
        any(PRIVATE_KEY_MARK in content for content in contents.values()),
    )


def encode_text(text: str) -> str:
    """Return ``text`` as base64 of its UTF-8 bytes, as Secret ``data`` stores it."""
    return base64.b64encode(text.encode()).decode("ascii")


def too_large(size: int) -> bool:
    """Tell whether ``size`` bytes of data exceed what one ConfigMap or Secret stores."""
    return size > MAX_OBJECT_DATA


def size_text(size: int) -> str:
    """Return a byte count as MiB with one decimal, for messages."""
    return f"{size / MAX_OBJECT_DATA:.1f} MiB"
