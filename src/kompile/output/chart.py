"""Write a Helm chart whose default values render the objects ``kompile convert`` makes.

`build_chart` returns the chart as a mapping of relative path → text; `write_chart` puts
it in a folder atomically. The values and templates come from `chartvalues`, the template
text from `charttemplates`, and the chart's README and values schema from `chartdocs`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import typing as t
from pathlib import Path

from kompile import interrupts
from kompile.convert.names import dns_label
from kompile.errors import OutputError
from kompile.output import chartdocs
from kompile.output.charttemplates import emit, helpers
from kompile.output.chartvalues import ChartPlan, Template, build_plan
from kompile.output.manifests import GENERATED_MARK, dump_yaml, file_name

Manifest = dict[str, t.Any]
DEFAULT_VERSION = "0.1.0"
# Semantic Versioning 2.0.0, which Helm requires of chart versions.
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
HELMIGNORE = """\
# Files that helm package leaves out of the chart archive.
.DS_Store
.git/
.gitignore
*.swp
*.bak
*.tmp
*.orig
*~
"""


def check_version(version: str) -> str:
    """Return ``version`` when it is a semantic version, which Helm requires."""
    if not _SEMVER.fullmatch(version):
        raise OutputError(
            f"chart version {version!r} is not a semantic version",
            hint="use MAJOR.MINOR.PATCH, for example 1.2.0",
        )
    return version


def chart_name(project: str) -> str:
    """Return the chart name: the project name as lowercase letters, digits and dashes."""
    return dns_label(project)


def build_chart(
    project: str,
    objects: list[Manifest],
    services: list[str],
    *,
    version: str = DEFAULT_VERSION,
    secret_values: bool = False,
) -> dict[str, str]:
    """Return the files of the chart for ``objects``, keyed by path inside the chart."""
    name = chart_name(project)
    plan = build_plan(name, objects, services, secret_values=secret_values)
    files = {
        "Chart.yaml": _chart_yaml(name, project, check_version(version)),
        "values.yaml": chartdocs.values_yaml(plan),
        "values.schema.json": chartdocs.values_schema(plan),
        "README.md": chartdocs.readme(plan, project),
        ".helmignore": HELMIGNORE,
        "templates/_helpers.tpl": helpers(name),
        "templates/NOTES.txt": _notes(plan),
    }
    for template in plan.templates:
        files[f"templates/{file_name(template.obj, 'yaml')}"] = _template_text(template)
    return files


def _chart_yaml(name: str, project: str, version: str) -> str:
    document = {
        "apiVersion": "v2",
        "name": name,
        "description": f"The Docker Compose project {project} as Kubernetes objects",
        "type": "application",
        "version": version,
        "appVersion": version,
    }
    return f"{GENERATED_MARK}\n" + dump_yaml([document]).removeprefix("---\n")


def _template_text(template: Template) -> str:
    body = emit(template.tree)
    if template.condition is None:
        return body
    return f"{{{{- if {template.condition} }}}}\n{body}{{{{- end }}}}\n"


def _notes(plan: ChartPlan) -> str:
    lines = [
        "{{ .Chart.Name }} is installed as release {{ .Release.Name }} "
        "in namespace {{ .Release.Namespace }}.",
    ]
    if plan.exposed:
        lines += ["", "Reach a service from this machine with kubectl port-forward:"]
    for service, port in plan.exposed:
        name = f'{{{{ include "{plan.chart}.objectName" (list $ "{service}") }}}}'
        # Ports below 1024 need root on most machines, so those listen 8000 higher.
        local = port if port >= 1024 else port + 8000
        lines.append(
            f"  {service}: kubectl --namespace {{{{ .Release.Namespace }}}} "
            f"port-forward service/{name} {local}:{port}"
        )
    lines += [
        "",
        "{{- if .Values.prefixNames }}",
        "",
        "Object names start with the release name, so two releases fit in one namespace.",
        "Programs that reach another service by its compose name need prefixNames=false.",
        "{{- end }}",
    ]
    return "\n".join(lines) + "\n"


def write_chart(folder: Path, files: dict[str, str], *, secret_values: bool) -> None:
    """Write the chart into ``folder``, replacing a chart kompile wrote there before.

    The files are written to a temporary sibling folder and moved into place at the end,
    so a failure leaves ``folder`` as it was. A folder that contains anything other than a
    kompile chart is left alone. values.yaml gets mode 0600 when it contains secret values.
    """
    check_output(folder)
    parent = folder.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as error:
        raise OutputError(f"cannot write the chart to {folder}: {error.strerror}") from error
    old = None
    try:
        os.chmod(staging, 0o755)
        for relative, text in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = 0o600 if secret_values and relative == "values.yaml" else 0o644
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
        # A signal between the two renames would leave no chart at all, so both are held.
        with interrupts.commit():
            if folder.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
                os.replace(folder, old / "chart")
            os.replace(staging, folder)
    except OSError as error:
        if old is not None and not folder.exists():
            # Put the previous chart back, so a failed run changes nothing.
            os.replace(old / "chart", folder)
        raise OutputError(f"cannot write the chart to {folder}: {error.strerror}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def check_output(folder: Path) -> None:
    """Raise `OutputError` unless a chart can be written to ``folder``."""
    if folder.exists() and not _replaceable(folder):
        raise OutputError(
            f"cannot write the chart to {folder}: the folder is not empty and contains no "
            "chart written by kompile",
            hint="choose an empty or new folder",
        )
    if not folder.parent.is_dir():
        raise OutputError(
            f"cannot write the chart to {folder}: folder {folder.parent} does not exist"
        )


def _replaceable(folder: Path) -> bool:
    """Tell whether ``folder`` is empty or contains a chart that kompile wrote."""
    if not folder.is_dir():
        return False
    if not any(folder.iterdir()):
        return True
    chart_file = folder / "Chart.yaml"
    try:
        return chart_file.read_text(encoding="utf-8").startswith(GENERATED_MARK)
    except (OSError, UnicodeDecodeError):
        return False
