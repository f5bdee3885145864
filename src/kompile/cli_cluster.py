"""The ``apply`` and ``diff`` commands: the cluster-facing half of the command line.

Each command imports the cluster package only when it runs, because that package loads
the ``kubernetes`` client, so ``kompile convert`` never pays for it.
"""

from __future__ import annotations

import math
import sys
import typing as t
from pathlib import Path

import click

from kompile.cli_options import check_namespace_option, mapping_options
from kompile.errors import ClusterError

if t.TYPE_CHECKING:
    from kompile.cluster.client import Cluster

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
Manifest = dict[str, t.Any]


def _check_field_manager(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip() or len(value) > 128:
        raise click.BadParameter("must be 1 to 128 characters", ctx, param)
    return value


def _check_finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter("must be a finite number of seconds", ctx, param)
    return value


def cluster_options(function: F) -> F:
    """Add the options that choose the cluster and the namespace."""
    options = [
        click.option(
            "-n",
            "--namespace",
            callback=check_namespace_option,
            help="Namespace, a DNS-1123 label (default: the context's namespace).",
        ),
        click.option(
            "--create-namespace", is_flag=True, help="Create the namespace when it is missing."
        ),
        click.option("--kubeconfig", help="Kubeconfig file (default: KUBECONFIG, ~/.kube/config)."),
        click.option("--context", "kube_context", help="Kubeconfig context to use."),
        click.option(
            "--request-timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=30.0,
            show_default=True,
            help="Seconds to wait for each response of the API server before retrying.",
        ),
        click.option(
            "--field-manager",
            default="kompile",
            show_default=True,
            callback=_check_field_manager,
            help="Name that owns the applied fields in the cluster.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def connect(kubeconfig: str | None, kube_context: str | None, request_timeout: float) -> Cluster:
    from kompile.cluster.client import Cluster

    return Cluster(kubeconfig, kube_context, timeout=request_timeout)


def target_namespace(namespace: str | None, cluster: Cluster) -> str:
    """Return the namespace to work in: ``-n``, else the kubeconfig context's, checked."""
    from kompile.convert.names import check_namespace

    if namespace:
        return namespace
    return check_namespace(cluster.namespace, origin="the kubeconfig context")


def desired_objects(
    cluster: Cluster,
    files: tuple[str, ...],
    project_name: str | None,
    project_directory: Path | None,
    profiles: tuple[str, ...],
    env_files: tuple[str, ...],
    quiet: bool,
    strict: bool,
    namespace: str | None,
    create_namespace: bool,
    mapping: dict[str, t.Any],
) -> tuple[list[Manifest], str, str]:
    """Return the objects to apply, the project name and the target namespace.

    Compose files are converted into ``-n`` (else the context's namespace). Manifests keep
    the namespace written in them, as kubectl does: ``-n`` must agree with it.
    """
    from kompile.cluster import sources

    if sources.is_manifest_input(files):
        objects = sources.read_manifests(files)
        project = sources.label_project(objects, project_name)
        namespaced = [
            obj for obj in objects if cluster.resource(obj["apiVersion"], obj["kind"]).namespaced
        ]
        target = sources.manifest_namespace(namespaced, namespace, None)
        target = target_namespace(target, cluster)
        if create_namespace:
            sources.add_namespace(objects, target, project)
        return objects, project, target

    from kompile.cli import load, report
    from kompile.cli_options import convert_options
    from kompile.convert.names import label_value
    from kompile.convert.pipeline import convert_project

    target = target_namespace(namespace, cluster)
    loaded, diagnostics = load(files, project_name, project_directory, profiles, env_files, strict)
    options = convert_options(mapping, target, create_namespace)
    converted = convert_project(loaded, options, diagnostics)
    report(diagnostics, quiet)
    return converted, label_value(loaded.name), target


def show_requests(cluster: Cluster) -> None:
    from kompile import cli

    if cli._debug:
        counts = ", ".join(
            f"{method} {count}" for method, count in sorted(cluster.requests.items())
        )
        click.echo(f"requests: {counts or 'none'}", err=True)


def apply_command(project_options: t.Callable[[t.Any], t.Any]) -> click.Command:
    """Build the ``apply`` command with the shared project options."""

    @click.command("apply")
    @project_options
    @cluster_options
    @mapping_options
    @click.option("--force-conflicts", is_flag=True, help="Take fields that other managers own.")
    @click.option("--prune", is_flag=True, help="Delete the project's objects no longer desired.")
    @click.option("--prune-volumes", is_flag=True, help="Let --prune delete claims (loses data).")
    @click.option(
        "--dry-run",
        type=click.Choice(["none", "server", "client"]),
        default="none",
        show_default=True,
        help="server: the cluster checks everything and stores nothing; client: no writes.",
    )
    @click.option(
        "--recreate",
        is_flag=True,
        help="Delete and recreate objects whose immutable fields changed.",
    )
    @click.option(
        "--adopt",
        is_flag=True,
        help="Take over objects of the same names that another project or tool created.",
    )
    @click.option("--wait", is_flag=True, help="Wait until the workloads are ready or done.")
    @click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True, max=86_400),
        callback=_check_finite,
        default=300.0,
        show_default=True,
        help="Seconds --wait waits.",
    )
    @click.option(
        "-o",
        "--output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Result format.",
    )
    def apply(
        files: tuple[str, ...],
        project_name: str | None,
        project_directory: Path | None,
        profiles: tuple[str, ...],
        env_files: tuple[str, ...],
        quiet: bool,
        strict: bool,
        namespace: str | None,
        create_namespace: bool,
        kubeconfig: str | None,
        kube_context: str | None,
        request_timeout: float,
        field_manager: str,
        force_conflicts: bool,
        prune: bool,
        prune_volumes: bool,
        dry_run: str,
        recreate: bool,
        adopt: bool,
        wait: bool,
        timeout: float,
        output: str,
        **mapping: t.Any,
    ) -> None:
        """Apply the project to a cluster with server-side apply."""
        from kompile.cluster import render
        from kompile.cluster.apply import Applier, ApplyOptions, ObjectResult

        cluster = connect(kubeconfig, kube_context, request_timeout)
        objects, project, target = desired_objects(
            cluster,
            files,
            project_name,
            project_directory,
            profiles,
            env_files,
            quiet,
            strict,
            namespace,
            create_namespace,
            mapping,
        )
        options = ApplyOptions(
            field_manager=field_manager,
            force_conflicts=force_conflicts,
            prune=prune,
            prune_volumes=prune_volumes,
            dry_run=dry_run,
            recreate=recreate,
            adopt=adopt,
        )

        def on_result(result: ObjectResult) -> None:
            if output == "text":
                click.echo(render.result_line(result, dry_run), err=result.error is not None)

        applier = Applier(cluster, project, target, options, on_result)
        try:
            report = applier.run(objects)
        finally:
            show_requests(cluster)
        if output == "text":
            for kept in report.kept:
                click.echo(f"{kept.display} kept: {kept.error}")
            for skipped in report.not_applied:
                click.echo(f"{skipped.display} not applied", err=True)
        failures = report.failed
        waited_ok = True
        if not failures and wait and dry_run == "none":
            waited_ok = wait_for(cluster, applier, timeout, output)
        if output == "json":
            click.echo(render.apply_json(report))
        elif not quiet:
            click.echo(render.apply_summary(report), err=True)
        if failures:
            names = [result.display for result in failures]
            listed = ", ".join(names[:5]) + (
                f" and {len(names) - 5} more" if len(names) > 5 else ""
            )
            applied = len(report.results) - len(failures)
            raise ClusterError(
                f"apply failed for {len(failures)} object(s) ({listed}); {applied} applied, "
                f"{len(report.not_applied)} not applied and nothing pruned",
                hint="fix the errors above and apply again",
            )
        if not waited_ok:
            raise ClusterError("workloads did not become ready", hint="see the reasons above")

    return apply


def wait_for(cluster: Cluster, applier: t.Any, timeout: float, output: str) -> bool:
    """Wait for the applied workloads, drawing progress; return True when all are ready."""
    from kompile.cluster.wait import Progress, Waiter

    desired = applier.desired
    tty = sys.stderr.isatty()
    shown: dict[str, str] = {}
    drawn = 0

    def on_poll(states: list[Progress]) -> None:
        nonlocal drawn
        if output != "text":
            return
        if tty:
            if drawn:
                click.echo(f"\x1b[{drawn}A", nl=False, err=True)
            for state in states:
                click.echo(f"\x1b[2K{state}", err=True)
            drawn = len(states)
            return
        for state in states:
            line = str(state)
            if shown.get(state.display) != line:
                shown[state.display] = line
                click.echo(line, err=True)

    states = Waiter(cluster, timeout=timeout).wait(desired, on_poll)
    failed = [state for state in states if state.failure]
    for state in failed:
        click.echo(str(state), err=True)
    return not failed


def diff_command(project_options: t.Callable[[t.Any], t.Any]) -> click.Command:
    """Build the ``diff`` command with the shared project options."""

    @click.command("diff")
    @project_options
    @cluster_options
    @mapping_options
    @click.option(
        "--local", is_flag=True, help="Send no dry run; compare only the fields kompile sets."
    )
    @click.option(
        "-o",
        "--output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Diff format.",
    )
    @click.option("--summary", is_flag=True, help="Print only the table of changed objects.")
    @click.option("--no-color", is_flag=True, help="Never colour the diff.")
    @click.option("--exit-zero", is_flag=True, help="Exit 0 when differences are found.")
    def diff(
        files: tuple[str, ...],
        project_name: str | None,
        project_directory: Path | None,
        profiles: tuple[str, ...],
        env_files: tuple[str, ...],
        quiet: bool,
        strict: bool,
        namespace: str | None,
        create_namespace: bool,
        kubeconfig: str | None,
        kube_context: str | None,
        request_timeout: float,
        field_manager: str,
        local: bool,
        output: str,
        summary: bool,
        no_color: bool,
        exit_zero: bool,
        **mapping: t.Any,
    ) -> None:
        """Show what apply would change in the cluster; exit 1 when anything differs."""
        from kompile.cluster import render
        from kompile.cluster.diff import NONE, Differ, DiffOptions

        cluster = connect(kubeconfig, kube_context, request_timeout)
        objects, project, target = desired_objects(
            cluster,
            files,
            project_name,
            project_directory,
            profiles,
            env_files,
            quiet,
            strict,
            namespace,
            create_namespace,
            mapping,
        )
        differ = Differ(cluster, project, target, DiffOptions(field_manager, local))
        try:
            changes = differ.run(objects)
        finally:
            show_requests(cluster)
        if output == "json":
            click.echo(render.diff_json(changes))
        else:
            color = not no_color and sys.stdout.isatty()
            if not summary:
                for change in changes:
                    if change.action != NONE or change.notes:
                        click.echo(render.unified_diff(change, color), nl=False)
            click.echo(render.summary_table(changes), nl=False)
        changed = any(change.action != NONE for change in changes)
        if changed and not exit_zero:
            raise click.exceptions.Exit(1)

    return diff
