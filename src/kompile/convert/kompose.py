"""kompose's ``kompose.*`` labels, read so that kompose users can switch without edits.

kompose reads its choices from compose labels: service labels such as
``kompose.service.type`` and volume labels such as ``kompose.volume.size``. kompile honours
the ones it has an equivalent for; the ``x-kompile`` extension wins when both are set.
"""

from __future__ import annotations

import typing as t


def label_map(section: dict[str, t.Any]) -> dict[str, str]:
    """Return the ``labels`` of a service or volume as a mapping (list form too)."""
    labels = section.get("labels") or {}
    if isinstance(labels, list):
        pairs = (str(item).partition("=") for item in labels)
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in labels.items()}


def kompose_label(section: dict[str, t.Any], key: str) -> str | None:
    """Return the value of the label ``kompose.<key>``, or None when it is not set."""
    return label_map(section).get(f"kompose.{key}")
