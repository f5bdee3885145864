"""Variable substitution: every operator, escapes, nesting and malformed templates."""

from __future__ import annotations

import pytest

from kompile.compose.interpolation import TemplateError, substitute

ENVIRON = {"SET": "s", "EMPTY": ""}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("$SET", "s"),
        ("${SET}", "s"),
        ("${UNSET:-def}", "def"),
        ("${EMPTY:-def}", "def"),
        ("${EMPTY-def}", ""),
        ("${UNSET-def}", "def"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${SET:-x}}", "s"),
        ("${UNSET-${ALSO-deep}}", "deep"),
        ("$$SET", "$SET"),
        ("$$$SET", "$s"),
        ("cost $5", "cost $5"),
        ("trailing $", "trailing $"),
        ("$SET{", "s{"),
        ("${SET}}", "s}"),
        ("${UNSET:-a}}", "a}"),
        ("${UNSET:-{braced}}", "{braced}"),
        ("pre$SET.post", "pres.post"),
        ("${SET?}", "s"),
        ("${EMPTY?must be set}", ""),
    ],
)
def test_substitute_forms(template: str, expected: str) -> None:
    assert substitute(template, ENVIRON.get) == expected


@pytest.mark.parametrize("template", ["${1}", "${A B}", "${SET:=x}", "${SET", "${}"])
def test_malformed_template_rejected(template: str) -> None:
    with pytest.raises(TemplateError) as caught:
        substitute(template, ENVIRON.get)
    assert caught.value.invalid


def test_required_variable_names_variable_and_message() -> None:
    with pytest.raises(TemplateError) as caught:
        substitute("${MUST_SET:?set MUST_SET first}", ENVIRON.get)
    assert str(caught.value) == "required variable MUST_SET is missing a value: set MUST_SET first"
    assert not caught.value.invalid


def test_required_empty_with_colon_fails() -> None:
    with pytest.raises(TemplateError, match="EMPTY"):
        substitute("${EMPTY:?}", ENVIRON.get)


def test_nested_required_fails_even_when_set() -> None:
    # Docker Compose expands the default before it looks at the variable.
    with pytest.raises(TemplateError, match="NOPE"):
        substitute("${SET:-${NOPE:?x}}", ENVIRON.get)


def test_unset_variable_is_reported() -> None:
    missing: list[str] = []
    assert substitute("a${NOPE}b$ALSO", ENVIRON.get, missing.append) == "ab"
    assert missing == ["NOPE", "ALSO"]
