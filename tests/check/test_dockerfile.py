"""The Dockerfile parser: directives, comments, continuations, heredocs, stages, errors."""

from __future__ import annotations

import pytest

from kompile.check.dockerfile import parse_dockerfile
from kompile.errors import CheckError


def test_continuation_joins_lines() -> None:
    dockerfile = parse_dockerfile("FROM alpine:3.20\nRUN apk add \\\n    curl \\\n    git\n")
    run = dockerfile.final_stage.instructions[0]
    assert run.keyword == "RUN"
    assert run.line == 2
    assert run.words() == ["apk", "add", "curl", "git"]


def test_comment_lines_are_skipped() -> None:
    text = "# a comment\nFROM alpine:3.20\n  # indented comment\nRUN echo a \\\n# inside\n  b\n"
    dockerfile = parse_dockerfile(text)
    instructions = dockerfile.final_stage.instructions
    assert [item.keyword for item in instructions] == ["RUN"]
    assert instructions[0].words() == ["echo", "a", "b"]
    assert instructions[0].line == 4


def test_escape_directive_changes_continuation() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\n"
    run = parse_dockerfile(text).final_stage.instructions[0]
    assert run.arguments == "dir   C:\\"


def test_keywords_are_case_insensitive() -> None:
    dockerfile = parse_dockerfile("from alpine:3.20 as base\nuser app\n")
    assert dockerfile.final_stage.name == "base"
    assert dockerfile.final_stage.find("USER")[0].body == "app"


def test_stages_and_names() -> None:
    text = "FROM golang:1.22 AS build\nRUN go build\nFROM scratch\nCOPY --from=build /app /app\n"
    dockerfile = parse_dockerfile(text)
    assert [stage.base for stage in dockerfile.stages] == ["golang:1.22", "scratch"]
    assert dockerfile.stage_names == {"build"}
    copy = dockerfile.final_stage.instructions[0]
    assert copy.flags == {"from": "build"}
    assert copy.words() == ["/app", "/app"]


def test_global_arg_fills_from() -> None:
    text = "ARG VERSION=3.12\nARG VARIANT\nFROM python:${VERSION}-${VARIANT:-slim}\n"
    dockerfile = parse_dockerfile(text)
    assert dockerfile.final_stage.base == "python:3.12-slim"
    assert len(dockerfile.global_args) == 2


def test_heredoc_body_is_part_of_the_script() -> None:
    text = "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y gcc\nEOF\nUSER app\n"
    dockerfile = parse_dockerfile(text)
    run, user = dockerfile.final_stage.instructions
    assert "apt-get install -y gcc" in run.script()
    assert user.keyword == "USER"
    assert user.line == 6


def test_exec_form_is_parsed_as_json() -> None:
    cmd = parse_dockerfile('FROM alpine:3.20\nCMD ["nginx", "-g", "daemon off;"]\n')
    instruction = cmd.final_stage.instructions[0]
    assert instruction.exec_form() == ["nginx", "-g", "daemon off;"]
    assert instruction.script() == "nginx -g 'daemon off;'"


def test_repeated_flags_keep_every_value() -> None:
    text = "FROM alpine:3.20\nRUN --mount=type=secret,id=a --mount=type=cache,target=/c make\n"
    run = parse_dockerfile(text).final_stage.instructions[0]
    assert run.flags["mount"] == "type=secret,id=a type=cache,target=/c"
    assert run.body == "make"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no FROM"),
        ("# only a comment\n", "has no FROM"),
        ("RUN echo\nFROM alpine:3.20\n", "RUN comes before the first FROM"),
    ],
    ids=["empty", "comment-only", "run-before-from"],
)
def test_invalid_dockerfile_is_rejected(text: str, message: str) -> None:
    with pytest.raises(CheckError, match=message):
        parse_dockerfile(text)
