"""Parse ``.env`` and ``env_file`` files with the rules of Docker Compose v2.40.3.

One ``KEY=VALUE`` per line; ``KEY: VALUE`` is accepted too. Blank lines and lines
starting with ``#`` are skipped, and an ``export`` prefix is ignored. An unquoted value
ends at a ``#`` that follows whitespace and loses its surrounding blanks. A double-quoted
value may span lines, understands the escapes ``\\n``, ``\\r``, ``\\t``, ``\\"``,
``\\\\`` and ``\\$``, and ignores what follows the closing quote. A single-quoted value is
taken literally. Unquoted and double-quoted values are interpolated, first from the
variables defined earlier in the same file, then from ``lookup``. A line that is only a
name takes its value from ``lookup`` and is left out when ``lookup`` has none.
"""

from __future__ import annotations

from pathlib import Path

from kompile.compose.interpolation import Lookup, TemplateError, substitute
from kompile.errors import ComposeError, Location

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$$"}


def read_env_file(path: Path, lookup: Lookup) -> dict[str, str]:
    """Read and parse one env file; raises `ComposeError` when it is missing or invalid."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ComposeError(f"env file {path} not found", hint="create it or fix the path") from None
    except IsADirectoryError:
        raise ComposeError(f"env file {path} is a directory", hint="name a file") from None
    except OSError as error:
        raise ComposeError(f"env file {path} cannot be read: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ComposeError(
            f"env file {path} is not UTF-8 text (invalid byte at offset {error.start})",
            hint="save it as UTF-8",
        ) from None
    return parse_env(text, path, lookup)


def parse_env(text: str, file: Path | str, lookup: Lookup) -> dict[str, str]:
    """Parse the text of an env file into variables, in file order."""
    variables: dict[str, str] = {}

    def lookup_here(name: str) -> str | None:
        return variables[name] if name in variables else lookup(name)

    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line_number = index + 1
        line = lines[index].lstrip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export") and line[6:7] in (" ", "\t"):
            line = line[6:].lstrip()
        location = Location(file, line_number)
        key, value_text = _split_key(line)
        if not key or any(char.isspace() for char in key):
            raise ComposeError(
                "invalid line: a variable name cannot contain spaces",
                location=location,
                hint="write one KEY=VALUE per line",
            )
        if value_text is None:
            value = lookup(key)
            if value is not None:
                variables[key] = value
            continue
        value, used_lines = _parse_value(value_text, lines, index, location, lookup_here)
        index += used_lines
        variables[key] = value
    return variables


def _split_key(line: str) -> tuple[str, str | None]:
    separators = [position for position in (line.find("="), line.find(":")) if position >= 0]
    if not separators:
        return line.rstrip(), None
    position = min(separators)
    return line[:position].rstrip(), line[position + 1 :].lstrip(" \t")


def _parse_value(
    text: str, lines: list[str], next_index: int, location: Location, lookup: Lookup
) -> tuple[str, int]:
    """Return a value and how many further lines a quoted value spanned."""
    quote = text[:1]
    if quote not in ('"', "'"):
        comment = _comment_start(text)
        raw = text[:comment] if comment >= 0 else text
        return _expand(raw.strip(), location, lookup), 0
    body = text[1:]
    used = 0
    while True:
        end = _closing_quote(body, quote)
        if end >= 0:
            break
        if next_index + used >= len(lines):
            raise ComposeError(
                "unterminated quoted value",
                location=location,
                hint=f"close the value with {quote}",
            )
        body += "\n" + lines[next_index + used]
        used += 1
    content = body[:end]
    if quote == "'":
        return content, used
    return _expand(_unescape(content), location, lookup), used


def _comment_start(text: str) -> int:
    for position in range(1, len(text)):
        if text[position] == "#" and text[position - 1] in " \t":
            return position
    return -1


def _closing_quote(body: str, quote: str) -> int:
    position = 0
    while position < len(body):
        char = body[position]
        if char == "\\" and quote == '"':
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return -1


def _unescape(content: str) -> str:
    """Apply the escapes of a double-quoted value; ``\\$`` becomes ``$$`` for interpolation."""
    parts: list[str] = []
    position = 0
    while position < len(content):
        char = content[position]
        if char == "\\" and position + 1 < len(content):
            following = content[position + 1]
            parts.append(_ESCAPES.get(following, char + following))
            position += 2
            continue
        parts.append(char)
        position += 1
    return "".join(parts)


def _expand(text: str, location: Location, lookup: Lookup) -> str:
    try:
        return substitute(text, lookup)
    except TemplateError as error:
        prefix = "invalid interpolation: " if error.invalid else ""
        raise ComposeError(
            prefix + str(error),
            location=location,
            hint="write a literal dollar sign as $$" if error.invalid else None,
        ) from None
