"""Env file parsing: comments, quotes, escapes, export, multi-line values and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kompile.compose.dotenv import parse_env, read_env_file
from kompile.errors import ComposeError


def parse(text: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    return parse_env(text, "app.env", (environ or {}).get)


def test_worker_env_from_reported_fault() -> None:
    text = (
        "# queue settings\n"
        "QUEUE_URL=amqp://guest:guest@mq:5672/?heartbeat=30\n"
        "\n"
        'GREETING="hello world"   # trailing comment\n'
        "RAW='keep $NOT_EXPANDED'\n"
        "EMPTY=\n"
    )
    variables = parse(text)
    assert variables == {
        "QUEUE_URL": "amqp://guest:guest@mq:5672/?heartbeat=30",
        "GREETING": "hello world",
        "RAW": "keep $NOT_EXPANDED",
        "EMPTY": "",
    }
    assert not any(key.startswith("#") for key in variables)


def test_double_quote_escapes() -> None:
    variables = parse('A="l1\\nl2\\t\\"q\\" \\\\ \\$x"\n')
    assert variables["A"] == 'l1\nl2\t"q" \\ $x'


def test_single_quotes_are_literal() -> None:
    assert parse("A='a\\nb ${X}'\n", {"X": "x"})["A"] == "a\\nb ${X}"


def test_multi_line_double_quoted_value() -> None:
    variables = parse('MULTI="first\nsecond"\nNEXT=1\n')
    assert variables["MULTI"] == "first\nsecond"
    assert variables["NEXT"] == "1"


def test_unquoted_comment_and_spaces() -> None:
    variables = parse("A=abc # note\nB=abc#kept\n  C  =  spaced value  \n")
    assert variables == {"A": "abc", "B": "abc#kept", "C": "spaced value"}


def test_export_prefix_and_colon_separator() -> None:
    assert parse("export A=1\nB: two\n") == {"A": "1", "B": "two"}


def test_interpolation_uses_earlier_lines_then_lookup() -> None:
    variables = parse("A=one\nB=${A}-$OUTER\nC=${NOPE:-dflt}\n", {"OUTER": "o"})
    assert variables["B"] == "one-o"
    assert variables["C"] == "dflt"


def test_bare_name_taken_from_lookup() -> None:
    assert parse("FROM_ENV\nMISSING\n", {"FROM_ENV": "e"}) == {"FROM_ENV": "e"}


def test_invalid_line_names_file_and_line() -> None:
    with pytest.raises(ComposeError) as caught:
        parse("GOOD=1\nthis is not valid\n")
    assert str(caught.value.location) == "app.env:2"
    assert "\n" not in caught.value.message


def test_unterminated_quote_rejected() -> None:
    with pytest.raises(ComposeError, match="unterminated quoted value"):
        parse('A="never closed\nB=2\n')


def test_required_variable_error_hides_values() -> None:
    with pytest.raises(ComposeError) as caught:
        parse("SECRET=hunter2-${NOPE:?needed here}\n")
    assert "needed here" in caught.value.message
    assert "hunter2" not in caught.value.message


def test_missing_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(ComposeError, match="not found"):
        read_env_file(tmp_path / "missing.env", {}.get)
