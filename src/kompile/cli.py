"""The ``kompile`` command line: options in, one library call, exit code out.

Only click and kompile's own light modules are imported at start-up; each command imports
what it needs when it runs, so ``kompile convert`` never loads the Kubernetes client.
Data goes to stdout and everything else to stderr. Exit codes: 0 success, 1 reserved for
"differences found" (diff) and "findings" (check), 2 for every failure.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import typing as t
from pathlib import Path

import click

from kompile import __version__, interrupts
from kompile.cli_options import check_namespace_option, convert_options, mapping_options
from kompile.errors import KompileError

if t.TYPE_CHECKING:
    from kompile.compose.model import Project
    from kompile.diagnostics import Diagnostics

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

_debug = False
GC_THRESHOLD = 50_000


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    global _debug
    # Set on every run, so that a run in the same process (tests) does not inherit it.
    _debug = value
    # Only kompile's own loggers: the kubernetes client logs response bodies at debug
    # level, and those bodies can contain Secret values. The handler of an earlier run in
    # the same process is replaced, because it may hold a stream that is closed by now.
    logger = logging.getLogger("kompile")
    for handler in [h for h in logger.handlers if getattr(h, "kompile_debug", False)]:
        logger.removeHandler(handler)
    if _debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.kompile_debug = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    else:
        logger.setLevel(logging.NOTSET)
    return value


def project_options(function: F) -> F:
    """Add the options that choose and read the compose project."""
    options = [
        click.option(
            "-f",
            "--file",
            "files",
            multiple=True,
            help="Compose file to read; repeat to merge several, '-' reads stdin.",
        ),
        click.option("-p", "--project-name", help="Project name (default: from the files)."),
        click.option(
            "--project-directory",
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder that relative paths resolve against (default: the first file's).",
        ),
        click.option("--profile", "profiles", multiple=True, help="Enable a profile; repeatable."),
        click.option("--env-file", "env_files", multiple=True, help="Variables file; repeatable."),
        click.option("-q", "--quiet", is_flag=True, help="Hide warnings."),
        click.option("--strict", is_flag=True, help="Treat every warning as an error."),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_set_debug,
            help="Show tracebacks of errors.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def load(
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    strict: bool,
    require_services: bool = True,
) -> tuple[Project, Diagnostics]:
    from kompile.compose.loader import LoadOptions, load_project
    from kompile.diagnostics import Diagnostics

    diagnostics = Diagnostics(strict=strict)
    options = LoadOptions(
        files=list(files),
        project_name=project_name,
        project_directory=project_directory,
        profiles=list(profiles),
        env_files=list(env_files),
        require_services=require_services,
    )
    return load_project(options, diagnostics), diagnostics


def report(diagnostics: Diagnostics, quiet: bool) -> None:
    """Print warnings and notes to stderr, one line each, unless ``--quiet``."""
    if quiet:
        return
    for warning in diagnostics.warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in diagnostics.notes:
        click.echo(f"{note.service}: {note.message}" if note.service else note.message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kompile")
def cli() -> None:
    """Turn a Docker Compose project into Kubernetes."""


@cli.command()
@project_options
@click.option(
    "-n",
    "--namespace",
    callback=check_namespace_option,
    help="Namespace to put every object in, a DNS-1123 label.",
)
@click.option("--create-namespace", is_flag=True, help="Also emit the Namespace object (needs -n).")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="'-' for stdout, a .yaml or .json file, or a folder for one file per object.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    help="Output format (default: from the -o extension, else yaml).",
)
@mapping_options
def convert(
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    quiet: bool,
    strict: bool,
    namespace: str | None,
    create_namespace: bool,
    output: str,
    output_format: str | None,
    **mapping: t.Any,
) -> None:
    """Write the Kubernetes manifests of a compose project."""
    from kompile.convert.pipeline import convert_project
    from kompile.output import manifests

    target = manifests.output_kind(output)
    project, diagnostics = load(files, project_name, project_directory, profiles, env_files, strict)
    options = convert_options(mapping, namespace, create_namespace)
    objects = convert_project(project, options, diagnostics)
    report(diagnostics, quiet)
    chosen_format = manifests.format_for_path(output, output_format)
    if target == "stdout":
        click.echo(manifests.render(objects, chosen_format), nl=False)
    elif target == "file":
        manifests.write_file(Path(output), objects, chosen_format)
    else:
        written = manifests.write_folder(Path(output), objects, chosen_format)
        if not quiet:
            click.echo(f"wrote {len(written)} files to {output}", err=True)


@cli.command()
@project_options
@click.option("-o", "--output", required=True, help="Folder to write the chart to.")
@click.option(
    "--chart-version",
    default="0.1.0",
    show_default=True,
    help="Chart version, a semantic version; appVersion gets the same value.",
)
@click.option(
    "--chart-secret-values",
    is_flag=True,
    help="Put the secret values in values.yaml instead of requiring them at install time.",
)
@mapping_options
def chart(
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    quiet: bool,
    strict: bool,
    output: str,
    chart_version: str,
    chart_secret_values: bool,
    **mapping: t.Any,
) -> None:
    """Write a Helm chart whose default values render the converted objects."""
    from kompile.convert.pipeline import convert_project
    from kompile.output import chart as chart_writer

    chart_writer.check_version(chart_version)
    chart_writer.check_output(Path(output))
    project, diagnostics = load(files, project_name, project_directory, profiles, env_files, strict)
    objects = convert_project(project, convert_options(mapping), diagnostics)
    report(diagnostics, quiet)
    chart_files = chart_writer.build_chart(
        project.name,
        objects,
        list(project.services),
        version=chart_version,
        secret_values=chart_secret_values,
    )
    chart_writer.write_chart(Path(output), chart_files, secret_values=chart_secret_values)
    if not quiet:
        click.echo(f"wrote chart {chart_writer.chart_name(project.name)} to {output}", err=True)


@cli.command()
@project_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "yaml"]),
    default="yaml",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Print the values of secret variables instead of masking them.",
)
def config(
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    quiet: bool,
    strict: bool,
    output_format: str,
    show_secrets: bool,
) -> None:
    """Print the project as kompile reads it, in Docker Compose's config shape.

    The values of secret variables are masked, as convert would move them to Secrets,
    unless --show-secrets is given.
    """
    import json

    from kompile.convert.secrets import masked_config
    from kompile.output.manifests import dump_yaml

    project, diagnostics = load(
        files, project_name, project_directory, profiles, env_files, strict, require_services=False
    )
    report(diagnostics, quiet)
    document = project.to_config() if show_secrets else masked_config(project)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(dump_yaml([document]).removeprefix("---\n"), nl=False)


@cli.command()
@project_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report format; sarif is SARIF 2.1.0, which GitHub code scanning reads.",
)
@click.option(
    "--severity",
    type=click.Choice(["info", "warning", "error"]),
    default="info",
    show_default=True,
    help="Report only findings at this severity or above.",
)
@click.option(
    "--require-digest",
    is_flag=True,
    help="Report every image and base image that is not pinned by a sha256 digest.",
)
@click.option("--list-rules", is_flag=True, help="Print every rule and exit.")
@click.pass_context
def check(
    ctx: click.Context,
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    quiet: bool,
    strict: bool,
    output_format: str,
    severity: str,
    require_digest: bool,
    list_rules: bool,
) -> None:
    """Judge a compose project against container best practices.

    Exits 1 when an error-level finding remains after x-kompile.check.ignore.
    """
    from kompile.check import CheckOptions, Severity, check_project
    from kompile.check.formats import render, render_rule_list

    if list_rules:
        click.echo(render_rule_list(), nl=False)
        return
    project, diagnostics = load(files, project_name, project_directory, profiles, env_files, strict)
    options = CheckOptions(require_digest=require_digest)
    result = check_project(project, options, diagnostics, Severity[severity.upper()])
    report(diagnostics, quiet)
    click.echo(render(result, output_format), nl=False)
    if result.has_errors:
        ctx.exit(1)


def _add_cluster_commands() -> None:
    from kompile.cli_cluster import apply_command, diff_command

    cli.add_command(apply_command(project_options))
    cli.add_command(diff_command(project_options))


_add_cluster_commands()


def usage_message(error: click.UsageError) -> str:
    """Return a usage error as one line: click's message and where to read the options.

    click's own display adds a usage line and a blank line, which breaks the rule that a
    failure prints exactly one line.
    """
    message = error.format_message()
    if not message.endswith((".", "?", "!")):
        message += "."
    command = error.ctx.command_path if error.ctx is not None else "kompile"
    return f"{message} Run '{command} --help' for the options"


def main(argv: list[str] | None = None) -> t.NoReturn:
    """Run the CLI and exit: one ``Error:`` line on stderr for any failure.

    SIGINT exits 130 and SIGTERM 143, after the writers removed their temporary files.
    """
    # The reader and the mappers build many long-lived dicts and lists but few reference
    # cycles. With CPython's default first threshold of 700 allocations, the cycle
    # collector rescans that growing heap so often that it takes about a third of the
    # time of a large convert, so one run of a command collects far less often.
    gc.set_threshold(GC_THRESHOLD, 20, 100)
    restore_signals = interrupts.install()
    try:
        _run(argv)
    finally:
        restore_signals()


def _run(argv: list[str] | None) -> t.NoReturn:
    try:
        # Without standalone mode, click returns the code of a ctx.exit() instead of exiting.
        code = cli.main(args=argv, prog_name="kompile", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except interrupts.Interrupted as interrupted:
        name = signal.Signals(interrupted.signum).name
        click.echo(f"Aborted ({name}).", err=True)
        sys.exit(interrupted.exit_code)
    except KompileError as error:
        if _debug:
            import traceback

            traceback.print_exc()
        error.show()
        sys.exit(error.exit_code)
    except click.UsageError as error:
        click.echo(f"Error: {usage_message(error)}", err=True)
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(2)
    except Exception as error:
        # NOTE: the message of an unexpected exception can contain input values, and
        # values may be secrets, so only its type is printed without --debug.
        if _debug:
            import traceback

            traceback.print_exc()
        click.echo(
            f"Error: internal error ({type(error).__name__}); rerun with --debug for the "
            "traceback and report it as a bug",
            err=True,
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
