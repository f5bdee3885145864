"""docs/conversion.md lists every row of the conversion table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kompile.convert.keytable import KeyMapping, key_mappings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "conversion.md"
ROWS = key_mappings()


@pytest.mark.parametrize("row", ROWS, ids=[row.key for row in ROWS])
def test_row_is_documented(row: KeyMapping) -> None:
    expected = f"| `{row.key}` | {row.kubernetes or '—'} |"
    assert expected in DOCS.read_text()


def test_table_has_rows() -> None:
    assert len(ROWS) > 50
