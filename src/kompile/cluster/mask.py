"""Secret values hidden before anything is compared or printed.

Both sides of a Secret get the same treatment, in the style of ``kubectl diff``: every
value of ``data`` becomes ``***``, and a key whose value differs between the two sides
becomes ``*** (before)`` on the live side and ``*** (after)`` on the desired side. So a
diff still shows which keys changed, and never what they hold.
"""

from __future__ import annotations

import base64
import typing as t

Manifest = dict[str, t.Any]
MASK = "***"


def fold_string_data(obj: Manifest) -> Manifest:
    """Return a Secret with ``stringData`` merged into ``data``, as the server stores it."""
    string_data = obj.get("stringData")
    if not string_data:
        return obj
    result = dict(obj)
    data = dict(result.get("data") or {})
    for key, value in string_data.items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    result["data"] = data
    del result["stringData"]
    return result


def mask_pair(
    live: Manifest | None, desired: Manifest | None
) -> tuple[Manifest | None, Manifest | None]:
    """Return both sides of a Secret with values replaced by markers; other kinds unchanged."""
    kind = (live or desired or {}).get("kind")
    if kind != "Secret":
        return live, desired
    live = fold_string_data(live) if live is not None else None
    desired = fold_string_data(desired) if desired is not None else None
    live_data = (live or {}).get("data") or {}
    desired_data = (desired or {}).get("data") or {}

    def masked(data: dict[str, t.Any], other: dict[str, t.Any], marker: str) -> dict[str, str]:
        result = {}
        for key, value in data.items():
            changed = key in other and other[key] != value
            result[key] = f"{MASK} ({marker})" if changed else MASK
        return result

    sides: list[Manifest | None] = []
    for obj, data, other, marker in (
        (live, live_data, desired_data, "before"),
        (desired, desired_data, live_data, "after"),
    ):
        if obj is None:
            sides.append(None)
            continue
        copy = dict(obj)
        if "data" in copy:
            copy["data"] = masked(data, other, marker)
        metadata = dict(copy.get("metadata") or {})
        if metadata.get("annotations"):
            # Annotations of a Secret can repeat its values, such as last-applied copies.
            metadata["annotations"] = {key: MASK for key in metadata["annotations"]}
        copy["metadata"] = metadata
        sides.append(copy)
    return sides[0], sides[1]
