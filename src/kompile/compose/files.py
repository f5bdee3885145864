"""Read one compose file into canonical form: parse, interpolate, validate, include, extend.

Each file is interpolated and validated on its own, as Docker Compose does, before its
``include`` entries are loaded as sub-projects and its services' ``extends`` chains are
resolved. Services then get their canonical long syntax, with relative paths resolved
against the project directory, or against the folder of the file that an ``extends`` or
``include`` brought in.
"""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

from kompile.compose.dotenv import read_env_file
from kompile.compose.interpolation import interpolate
from kompile.compose.merge import merge_files, merge_service
from kompile.compose.model import ServiceConfig
from kompile.compose.normalize import resolve_host_path, string_mapping
from kompile.compose.service import normalize_service
from kompile.compose.specification import validate_document
from kompile.compose.yamlsource import SourceMap, load_document
from kompile.diagnostics import Diagnostics
from kompile.errors import ComposeError, KeyPath, Location

STDIN = "-"
SECTIONS = ("networks", "volumes", "secrets", "configs")
# Compose files are kilobytes long. A file past this size is not one, or is generated so
# large that parsing it would take seconds and a lot of memory.
MAX_FILE_BYTES = 8 * 2**20


class FileReader:
    """Reads the files of one project (and of the projects it includes) with one environment."""

    def __init__(
        self,
        environ: dict[str, str],
        diagnostics: Diagnostics,
        sources: list[SourceMap] | None = None,
        include_stack: tuple[Path, ...] = (),
    ) -> None:
        self.environ = environ
        self.diagnostics = diagnostics
        self.sources: list[SourceMap] = [] if sources is None else sources
        self.include_stack = include_stack
        self._documents: dict[str, tuple[dict[str, t.Any], SourceMap]] = {}

    def read_project_file(self, name: str, project_dir: Path) -> dict[str, t.Any]:
        """Return one file of the project in canonical form, ready to merge."""
        document, source = self.read_raw(name)
        result = {key: value for key, value in document.items() if key not in ("include",)}
        result.pop("version", None)
        services = document.get("services") or {}
        result["services"] = {
            service: self._resolve_service(name, service, project_dir, ()) for service in services
        }
        for section in SECTIONS:
            if section in document:
                result[section] = _normalize_section(section, document[section], project_dir)
        if document.get("include"):
            self._include(document["include"], result, name, source)
        return result

    def read_raw(self, name: str) -> tuple[dict[str, t.Any], SourceMap]:
        """Parse, interpolate and validate one file, once per reader."""
        if name in self._documents:
            return self._documents[name]
        display: Path | str = name if name == STDIN else Path(name)
        value, source = load_document(read_text(name), display)
        self.sources.append(source)
        if value is None:
            raise ComposeError(
                "the compose file is empty",
                location=Location(display),
                hint="add a services: section with at least one service",
            )
        if not isinstance(value, dict):
            raise ComposeError(
                "must be a mapping of top-level keys",
                location=source.locate(()),
                hint="start the file with services:",
            )
        value = interpolate(value, (), self.environ.get, source.locate, self._warn_unset)
        if "version" in value:
            self.diagnostics.warn(
                "the top-level 'version' key is obsolete and ignored", key_path=("version",)
            )
        document = validate_document(value, source.locate, self.diagnostics)
        self._documents[name] = (document, source)
        return document, source

    def _warn_unset(self, variable: str, path: KeyPath) -> None:
        service = str(path[1]) if len(path) > 1 and path[0] == "services" else None
        self.diagnostics.warn(
            f"variable {variable} is not set, so a blank string is used",
            service=service,
            key_path=path,
        )

    def _resolve_service(
        self, file: str, name: str, base_dir: Path, chain: tuple[tuple[str, str], ...]
    ) -> ServiceConfig:
        """Return service ``name`` of ``file`` in canonical form, its extends chain merged in."""
        document, source = self.read_raw(file)
        services = document.get("services") or {}
        if name not in services:
            where = chain[-1] if chain else (file, name)
            raise ComposeError(
                f"extends names service {name!r}, which {file} does not define",
                location=self._documents[where[0]][1].locate(("services", where[1], "extends")),
                key_path=("services", where[1], "extends"),
                hint="name a service defined in that file",
            )

        raw = dict(services[name] or {})
        extends = raw.pop("extends", None)
        own = normalize_service(name, raw, base_dir, source.locate)
        if extends is None:
            return own

        if isinstance(extends, str):
            extends = {"service": extends}
        target_file, target_dir = file, base_dir
        if "file" in extends:
            target_file = _relative_to_file(extends["file"], file)
            target_dir = Path(target_file).parent
            if not Path(target_file).is_file():
                raise ComposeError(
                    f"extends names file {extends['file']}, which does not exist",
                    location=source.locate(("services", name, "extends", "file")),
                    key_path=("services", name, "extends", "file"),
                    hint="fix the path, which is relative to this compose file",
                )

        link = (target_file, extends["service"])
        if link in chain or link == (file, name):
            raise ComposeError(
                f"extends forms a cycle through service {extends['service']!r}",
                location=source.locate(("services", name, "extends")),
                key_path=("services", name, "extends"),
                hint="remove one extends link of the cycle",
            )

        base = self._resolve_service(
            target_file, extends["service"], target_dir, (*chain, (file, name))
        )
        return merge_service(base, own)

    def _include(
        self, entries: list[t.Any], result: dict[str, t.Any], file: str, source: SourceMap
    ) -> None:
        for index, entry in enumerate(entries):
            entry = {"path": entry} if isinstance(entry, str) else entry
            paths = [entry["path"]] if isinstance(entry["path"], str) else entry["path"]
            files = [_relative_to_file(path, file) for path in paths]
            if not files:
                continue  # Docker Compose skips an entry whose path list is empty.
            key_path: KeyPath = ("include", index)
            for path in files:
                if not Path(path).is_file():
                    raise ComposeError(
                        f"included file {path} not found",
                        location=source.locate(key_path),
                        key_path=key_path,
                        hint="fix the path, which is relative to this compose file",
                    )
            first = Path(files[0]).resolve()
            if first in self.include_stack:
                raise ComposeError(
                    f"include cycle through {files[0]}",
                    location=source.locate(key_path),
                    key_path=key_path,
                    hint="remove the include that points back",
                )
            directory = first.parent
            if "project_directory" in entry:
                directory = Path(_relative_to_file(entry["project_directory"], file))
            reader = FileReader(
                self._included_environment(entry, directory, file),
                self.diagnostics,
                self.sources,
                (*self.include_stack, first),
            )
            included = merge_files([reader.read_project_file(name, directory) for name in files])
            for section in ("services", *SECTIONS):
                for name, value in (included.get(section) or {}).items():
                    existing = result.setdefault(section, {})
                    if name in existing and existing[name] != value:
                        raise ComposeError(
                            f"{section[:-1]} {name!r} from {files[0]} conflicts with one "
                            "already defined",
                            location=source.locate(key_path),
                            key_path=key_path,
                            hint="rename one of them or remove the duplicate",
                        )
                    existing[name] = value

    def _included_environment(
        self, entry: dict[str, t.Any], directory: Path, file: str
    ) -> dict[str, str]:
        env_files = entry.get("env_file")
        if env_files is None:
            default = directory / ".env"
            paths = [default] if default.is_file() else []
        else:
            names = [env_files] if isinstance(env_files, str) else env_files
            paths = [Path(_relative_to_file(name, file)) for name in names]
        values: dict[str, str] = {}
        for path in paths:
            values.update(read_env_file(path, lambda key: values.get(key, self.environ.get(key))))
        return {**values, **self.environ}


def _relative_to_file(name: str, file: str) -> str:
    base = Path.cwd() if file == STDIN else Path(file).resolve().parent
    return resolve_host_path(name, base)


def _normalize_section(section: str, entries: t.Any, base_dir: Path) -> dict[str, t.Any]:
    result = {}
    for name, entry in (entries or {}).items():
        value = dict(entry or {})
        if "labels" in value:
            value["labels"] = string_mapping(value["labels"], (section, name, "labels"), _nowhere)
        if section in ("secrets", "configs") and isinstance(value.get("file"), str):
            value["file"] = resolve_host_path(value["file"], base_dir)
        result[name] = value
    return result


def _nowhere(path: KeyPath) -> Location:
    return Location("<unknown>")


def read_text(name: str) -> str:
    """Read one compose file as UTF-8 text, or stdin for ``-``.

    Raises `ComposeError` for input larger than `MAX_FILE_BYTES`, which is read no
    further, so a huge file fails at once instead of filling memory while it is parsed.
    """
    if name == STDIN:
        data = _read_stdin()
        if len(data) > MAX_FILE_BYTES:
            raise _too_large(name)
        return _decode(data, "stdin", "the input")
    path = Path(name)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ComposeError(f"compose file {name} not found", hint="check the -f path") from None
    except IsADirectoryError:
        raise ComposeError(
            f"{name} is a directory, not a compose file", hint="name the YAML file inside it"
        ) from None
    except PermissionError:
        raise ComposeError(
            f"compose file {name} cannot be read: permission denied",
            hint="give your user read permission on the file (chmod u+r) or run as its owner",
        ) from None
    except OSError as error:
        raise ComposeError(
            f"compose file {name} cannot be read: {error.strerror}",
            hint="check that the path names a readable file",
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name)
    return _decode(data, name, "the compose file")


def _read_stdin() -> bytes:
    # The bytes, not the text: the text layer decodes with the locale's encoding, and
    # in the C locale it keeps invalid bytes as surrogates that fail much later.
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # A replaced sys.stdin without a byte layer, as in some test runners.
        text = sys.stdin.read(MAX_FILE_BYTES + 1)
        return text.encode("utf-8", "surrogateescape")
    data: bytes = buffer.read(MAX_FILE_BYTES + 1)
    return data


def _decode(data: bytes, name: str, subject: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ComposeError(
            f"{name} is not UTF-8 text (invalid byte at offset {error.start})",
            hint=f"save {subject} as UTF-8",
        ) from None


def _too_large(name: str) -> ComposeError:
    return ComposeError(
        f"compose file {name} is larger than {MAX_FILE_BYTES // 2**20} MiB",
        hint="split it, or check that -f names the compose file",
    )
