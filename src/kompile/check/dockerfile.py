"""A small Dockerfile parser: enough structure for best-practice rules, no build.

It follows the Dockerfile reference: parser directives at the top (only ``escape``
changes parsing), comment lines, instructions continued with the escape character,
heredocs (``RUN <<EOF``), and one stage per ``FROM``. Global ``ARG`` defaults are
substituted into ``FROM`` so that ``FROM python:${VERSION}`` names a real image. Nothing
is pulled and no instruction runs.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from kompile.errors import CheckError, Location

_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


@dataclass(frozen=True)
class Instruction:
    """One instruction with its continuation lines joined, and the line where it starts."""

    keyword: str
    arguments: str
    line: int
    heredocs: tuple[str, ...] = ()

    def split_flags(self) -> tuple[dict[str, str], str]:
        """Return the leading ``--name=value`` flags and the text after them."""
        flags: dict[str, str] = {}
        rest = self.arguments.strip()
        while rest.startswith("--"):
            word, _, rest = rest.partition(" ")
            name, _, value = word[2:].partition("=")
            # A repeated flag such as --mount keeps every value, separated by spaces.
            key = name.lower()
            flags[key] = f"{flags[key]} {value}" if key in flags else value
            rest = rest.lstrip()
        return flags, rest

    @property
    def flags(self) -> dict[str, str]:
        return self.split_flags()[0]

    @property
    def body(self) -> str:
        """The arguments without the leading flags."""
        return self.split_flags()[1]

    def exec_form(self) -> list[str] | None:
        """Return the JSON array of the exec form, or None for the shell form."""
        text = self.body
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        return None

    def words(self) -> list[str]:
        """Split the body into words as a shell would, or on spaces when quotes are open."""
        form = self.exec_form()
        if form is not None:
            return form
        try:
            return shlex.split(self.body, comments=False)
        except ValueError:
            return self.body.split()

    def script(self) -> str:
        """Return the shell text a RUN, CMD or ENTRYPOINT runs, heredoc bodies included."""
        form = self.exec_form()
        text = shlex.join(form) if form is not None else self.body
        return "\n".join((text, *self.heredocs))


@dataclass
class Stage:
    """The instructions from one ``FROM`` to the next."""

    index: int
    base: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def find(self, *keywords: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword in keywords]


@dataclass
class Dockerfile:
    """A parsed Dockerfile, whose ``path`` is None for ``build.dockerfile_inline``."""

    path: Path | None
    global_args: list[Instruction]
    stages: list[Stage]

    @property
    def final_stage(self) -> Stage:
        return self.stages[-1]

    @property
    def stage_names(self) -> set[str]:
        return {stage.name for stage in self.stages if stage.name}

    def instructions(self) -> list[Instruction]:
        """Return every instruction, global ARGs and FROM lines included, in file order."""
        everything = list(self.global_args)
        for stage in self.stages:
            everything.append(Instruction("FROM", stage.base, stage.line))
            everything.extend(stage.instructions)
        return sorted(everything, key=lambda item: item.line)


def read_dockerfile(path: Path) -> Dockerfile:
    """Read and parse the Dockerfile at ``path``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise CheckError(
            f"cannot read Dockerfile {path}: {error.strerror or error}",
            hint="check the build context and dockerfile keys",
        ) from error
    return parse_dockerfile(text, path)


# The instructions of the Dockerfile reference (BuildKit 1.x syntax).
KEYWORDS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)  # fmt: skip


def parse_dockerfile(text: str, path: Path | None = None) -> Dockerfile:
    """Parse Dockerfile text into global ARGs and stages."""
    instructions = _instructions(text.splitlines())
    global_args: list[Instruction] = []
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword not in KEYWORDS:
            # The line is not echoed: it may be a secret or binary data, not an instruction.
            raise CheckError(
                "unknown Dockerfile instruction",
                location=Location(path or "<inline Dockerfile>", instruction.line),
                hint="start each line with an instruction such as FROM, RUN or COPY",
            )
        if instruction.keyword == "FROM":
            stages.append(_stage(instruction, len(stages), global_args))
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            global_args.append(instruction)
        else:
            raise CheckError(
                f"{instruction.keyword} comes before the first FROM",
                location=Location(path or "<inline Dockerfile>", instruction.line),
                hint="only ARG may come before FROM in a Dockerfile",
            )
    if not stages:
        raise CheckError(
            "the Dockerfile has no FROM instruction",
            location=Location(path or "<inline Dockerfile>"),
            hint="start the build with FROM IMAGE",
        )
    return Dockerfile(path, global_args, stages)


def _instructions(lines: list[str]) -> list[Instruction]:
    escape = "\\"
    index = 0
    # Parser directives are only read before the first comment, blank line or instruction.
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index].strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
        index += 1

    instructions: list[Instruction] = []
    while index < len(lines):
        stripped = lines[index].strip()
        start = index + 1
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        text = stripped
        while text.rstrip().endswith(escape) and index < len(lines):
            text = text.rstrip()[: -len(escape)]
            following = lines[index]
            index += 1
            if following.strip().startswith("#"):
                # A comment line inside a continued instruction is dropped, and the
                # instruction goes on.
                text += escape
                continue
            text += following
        keyword, _, arguments = text.partition(" ")
        keyword = keyword.upper()
        heredocs: list[str] = []
        if keyword in _HEREDOC_KEYWORDS:
            for match in _HEREDOC.finditer(arguments):
                body, index = _heredoc(lines, index, match.group(3), strip_tabs=bool(match[1]))
                heredocs.append(body)
        instructions.append(Instruction(keyword, arguments.strip(), start, tuple(heredocs)))
    return instructions


def _heredoc(lines: list[str], index: int, terminator: str, *, strip_tabs: bool) -> tuple[str, int]:
    body: list[str] = []
    while index < len(lines):
        line = lines[index].lstrip("\t") if strip_tabs else lines[index]
        index += 1
        if line.rstrip() == terminator:
            break
        body.append(line)
    return "\n".join(body), index


def _stage(instruction: Instruction, index: int, global_args: list[Instruction]) -> Stage:
    defaults: dict[str, str] = {}
    for arg in global_args:
        name, _, value = arg.body.partition("=")
        defaults[name.strip()] = value.strip().strip("\"'")
    words = instruction.body.split()
    base = _substitute(words[0], defaults) if words else ""
    alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
    return Stage(index, base, alias, instruction.line)


def _substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        value = values.get(name, "")
        if not value and match.group(2) is not None:
            return match.group(2)
        return value

    return _VARIABLE.sub(replace, text)
