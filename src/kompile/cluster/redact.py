"""Removal of secret values from text that the cluster sends back.

A server error can quote the value it rejected, and for a Secret that value is the
secret. Every message that kompile prints from the server first goes through a
`Redactor` built from the Secrets being applied.
"""

from __future__ import annotations

import base64
import binascii
import typing as t

Manifest = dict[str, t.Any]
MASK = "***"
# Shorter values match too many ordinary words to be replaced safely.
MIN_LENGTH = 4


class Redactor:
    """Replaces every known secret value, plain or base64-encoded, with ``***``."""

    def __init__(self, objects: t.Iterable[Manifest]) -> None:
        values: set[str] = set()
        for obj in objects:
            if obj.get("kind") != "Secret":
                continue
            for encoded in (obj.get("data") or {}).values():
                values.add(str(encoded))
                try:
                    values.add(base64.b64decode(str(encoded), validate=True).decode())
                except (binascii.Error, UnicodeDecodeError):
                    pass
            for plain in (obj.get("stringData") or {}).values():
                values.add(str(plain))
                values.add(base64.b64encode(str(plain).encode()).decode())
        # Longest first, so a value that contains another is replaced whole.
        self.values = sorted((v for v in values if len(v) >= MIN_LENGTH), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return text
