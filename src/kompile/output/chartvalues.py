"""Turn converted objects into chart values and the templates that read them.

The chart is built from the objects ``kompile convert`` makes, never from the compose
file, so every mapping change reaches charts too. Each object is copied into a template
tree, and the parts a Helm user expects to set are swapped for ``.Values`` lookups while
their current contents become the default values. With default values the chart
therefore renders the objects convert writes, apart from the names and labels that
carry the release. What is swapped:

- the workload of a service (found through the ``app.kubernetes.io/name`` label): image,
  replicas, env, resources, probes, security contexts, nodeSelector, tolerations and
  affinity, under the service's values key;
- the Service of a service: type and ports;
- PersistentVolumeClaims: ``persistence.<claim>`` with enabled, size, storageClass,
  accessModes and existingClaim;
- Secrets: ``secrets.<secret>`` with the keys present and empty (required at install
  time) unless secret values are embedded, and existingSecret;
- in every object: the name, the standard labels and references to other objects of
  the chart (claims, Secrets, ConfigMaps, Services, scale targets).

Fields of other kinds and all remaining fields are kept verbatim, so new object kinds
and fields flow into charts without changes here.

Values keys are template-safe camelCase (``auth-api`` → ``authApi``), because a Go
template cannot look up ``.Values.auth-api``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import typing as t
from dataclasses import dataclass, field

from kompile.convert.names import MANAGED_BY_LABEL, NAME_LABEL, PART_OF_LABEL, label_value
from kompile.errors import ConversionError
from kompile.output import chartoptional
from kompile.output.charttemplates import (
    Action,
    Splice,
    go_string,
    include_lines,
    optional_block,
    optional_scalar,
    required_block,
    scalar,
)

Manifest = dict[str, t.Any]
ValuePath = tuple[str, ...]

# Top-level values keys of the chart itself; a service with one of these keys gets a suffix.
RESERVED_KEYS = frozenset(
    {"global", "nameOverride", "fullnameOverride", "prefixNames", "persistence", "secrets"}
)
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet"})
# Container fields a user sets as a whole: values key → container field.
CONTAINER_BLOCKS = {
    "resources": "resources",
    "livenessProbe": "livenessProbe",
    "readinessProbe": "readinessProbe",
    "startupProbe": "startupProbe",
    "securityContext": "securityContext",
}
# Pod fields a user sets as a whole: values key → pod spec field.
POD_BLOCKS = {
    "podSecurityContext": "securityContext",
    "nodeSelector": "nodeSelector",
    "tolerations": "tolerations",
    "affinity": "affinity",
}
SECTION_ORDER = (
    "image",
    "replicas",
    "env",
    "service",
    "ingress",
    "autoscaling",
    *CONTAINER_BLOCKS,
    *POD_BLOCKS,
)
# (parent key, field) pairs whose value names another object, and the kind it names.
REFERENCES = {
    ("secretKeyRef", "name"): "Secret",
    ("secretRef", "name"): "Secret",
    ("secret", "secretName"): "Secret",
    ("configMapKeyRef", "name"): "ConfigMap",
    ("configMapRef", "name"): "ConfigMap",
    ("configMap", "name"): "ConfigMap",
    ("persistentVolumeClaim", "claimName"): "PersistentVolumeClaim",
    ("service", "name"): "Service",
    ("spec", "serviceName"): "Service",
}
_WORDS = re.compile(r"[A-Za-z0-9]+")
_DIGEST = re.compile(r"@(?P<digest>[A-Za-z0-9_+.-]+:[0-9a-fA-F]+)$")


def values_key(name: str) -> str:
    """Return a template-safe camelCase values key: ``auth-api`` → ``authApi``."""
    words = _WORDS.findall(name)
    if not words:
        raise ConversionError(f"{name!r} has no letters or digits to build a values key from")
    key = words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    return f"_{key}" if key[0].isdigit() else key


def split_image(image: str) -> dict[str, str]:
    """Split an image reference into repository, tag and digest."""
    digest = ""
    match = _DIGEST.search(image)
    if match:
        digest = match["digest"]
        image = image[: match.start()]
    repository, tag = image, ""
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, _, tag = image.rpartition(":")
    return {"repository": repository, "tag": tag, "digest": digest}


@dataclass
class Template:
    """One object, its template tree and the condition that renders it (None: always)."""

    obj: Manifest
    tree: dict[str, t.Any]
    condition: str | None = None


@dataclass
class ChartPlan:
    """The values, their free-form parts and one template tree per object."""

    chart: str
    values: dict[str, t.Any]
    # Values paths whose contents are Kubernetes fields, so the schema does not list keys.
    free_form: set[ValuePath] = field(default_factory=set)
    # Values paths that contain secret values.
    secret_paths: set[ValuePath] = field(default_factory=set)
    templates: list[Template] = field(default_factory=list)
    # Values key → compose service name.
    service_names: dict[str, str] = field(default_factory=dict)
    # Object name and first port of each Service with ports.
    exposed: list[tuple[str, int]] = field(default_factory=list)


class _Builder:
    def __init__(
        self, chart: str, objects: list[Manifest], services: list[str], secret_values: bool
    ) -> None:
        self.chart = chart
        self.secret_values = secret_values
        self.plan = ChartPlan(
            chart, {"nameOverride": "", "fullnameOverride": "", "prefixNames": True}
        )
        self.names = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
        self.service_keys = self._service_keys(services)
        self.secret_keys: dict[str, str] = {}
        self.claim_keys: dict[str, str] = {}

    def _service_keys(self, services: list[str]) -> dict[str, str]:
        """Map each service's name label to its values key, rejecting collisions."""
        keys: dict[str, str] = {}
        owners: dict[str, str] = {}
        for service in services:
            key = values_key(service)
            if key in RESERVED_KEYS:
                key = f"{key}Service"
            if key in owners:
                raise ConversionError(
                    f"services {owners[key]!r} and {service!r} both become values key {key!r}",
                    hint="rename one of them so their camelCase forms differ",
                )
            owners[key] = service
            keys[label_value(service)] = key
        self.plan.service_names = owners
        return keys

    def object_name(self, name: str) -> str:
        return f"include {go_string(self.chart + '.objectName')} (list $ {go_string(name)})"

    def reference(self, kind: str, name: str) -> Action | None:
        """Return the action naming another object of the chart, or None for outsiders."""
        if (kind, name) not in self.names:
            return None
        if kind == "Secret":
            existing = f".Values.secrets.{self.secret_keys[name]}.existingSecret"
            return Action(f"{existing} | default ({self.object_name(name)})")
        if kind == "PersistentVolumeClaim":
            existing = f".Values.persistence.{self.claim_keys[name]}.existingClaim"
            return Action(f"{existing} | default ({self.object_name(name)})")
        return Action(self.object_name(name))

    def build(self, objects: list[Manifest]) -> ChartPlan:
        # Secrets and claims first: workloads refer to their values keys.
        self.secret_keys = _unique_keys(objects, "Secret")
        self.claim_keys = _unique_keys(objects, "PersistentVolumeClaim")
        self.own_kinds = {
            (obj["kind"], self.service_keys.get(obj["metadata"].get("labels", {}).get(NAME_LABEL)))
            for obj in objects
        }
        templated_services: set[str] = set()
        for obj in objects:
            tree = copy.deepcopy(obj)
            service_key = self.service_keys.get(obj["metadata"].get("labels", {}).get(NAME_LABEL))
            condition = None
            if obj["kind"] == "Secret":
                condition = self.secret(tree)
            elif obj["kind"] == "PersistentVolumeClaim":
                condition = self.claim(tree)
            elif obj["kind"] in WORKLOAD_KINDS and service_key:
                # NOTE: only the first workload of a service gets values. A second one
                # keeps its fields verbatim, so two workloads never share a values key.
                if service_key not in templated_services:
                    templated_services.add(service_key)
                    self.workload(tree, service_key)
                    self.autoscaler(obj, tree, service_key)
            elif obj["kind"] == "Service" and service_key:
                self.service(tree, service_key)
                self.ingress(obj, service_key)
            self.rewrite_common(tree)
            self.plan.templates.append(Template(obj, tree, condition))
        self._order_values()
        return self.plan

    def _order_values(self) -> None:
        """Put the chart's own keys first, then services, persistence and secrets."""
        values = self.plan.values
        for key in self.plan.service_names:
            if key in values:
                section = values.pop(key)
                order = [k for k in SECTION_ORDER if k in section]
                rest = [k for k in section if k not in order]
                values[key] = {k: section[k] for k in [*order, *rest]}
        for key in ("persistence", "secrets"):
            if key in values:
                values[key] = values.pop(key)

    def section(self, service_key: str) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], self.plan.values.setdefault(service_key, {}))

    def workload(self, tree: Manifest, key: str) -> None:
        """Swap the values-driven parts of a workload for lookups under ``key``."""
        values = self.section(key)
        base = f".Values.{key}"
        spec = tree["spec"]
        if "replicas" in spec:
            values["replicas"] = spec["replicas"]
            spec["replicas"] = Action(f"{base}.replicas")
        pod = _pod_spec(tree)
        if pod is None or not pod.get("containers"):
            return
        container = pod["containers"][0]
        image = split_image(str(container["image"]))
        image["pullPolicy"] = container.get("imagePullPolicy", "")
        values["image"] = image
        container["image"] = Action(f'include "{self.chart}.image" {base}.image | quote')
        container["imagePullPolicy"] = optional_scalar(f"{base}.image.pullPolicy")
        self.env(container, values, key)
        for value_key, container_field in CONTAINER_BLOCKS.items():
            values[value_key] = container.get(container_field, {})
            self.plan.free_form.add((key, value_key))
            container[container_field] = optional_block(f"{base}.{value_key}")
        for value_key, pod_field in POD_BLOCKS.items():
            values[value_key] = pod.get(pod_field, [] if pod_field == "tolerations" else {})
            self.plan.free_form.add((key, value_key))
            pod[pod_field] = optional_block(f"{base}.{value_key}")

    def autoscaler(self, obj: Manifest, tree: Manifest, key: str) -> None:
        """Offer a HorizontalPodAutoscaler, off by default, unless the mapping made one."""
        scalable = obj["kind"] in SCALABLE_KINDS and "replicas" in obj["spec"]
        if not scalable or ("HorizontalPodAutoscaler", key) in self.own_kinds:
            return
        self.section(key)["autoscaling"] = chartoptional.autoscaling_values()
        tree["spec"]["replicas"] = chartoptional.replicas_unless_autoscaled(key)
        autoscaler, condition = chartoptional.autoscaler_tree(key, obj)
        self._add_offered(autoscaler, condition)

    def ingress(self, obj: Manifest, key: str) -> None:
        """Offer an Ingress, off by default, for a Service with ports."""
        ports = obj["spec"].get("ports")
        if not ports or ("Ingress", key) in self.own_kinds:
            return
        self.section(key)["ingress"] = chartoptional.ingress_values(int(ports[0]["port"]))
        for name in ("annotations", "hosts", "tls"):
            self.plan.free_form.add((key, "ingress", name))
        ingress, condition = chartoptional.ingress_tree(self.chart, key, obj)
        self._add_offered(ingress, condition)

    def _add_offered(self, tree: Manifest, condition: str) -> None:
        identity = {"kind": tree["kind"], "metadata": {"name": tree["metadata"]["name"]}}
        self.rewrite_common(tree)
        self.plan.templates.append(Template(identity, tree, condition))

    def env(self, container: dict[str, t.Any], values: dict[str, t.Any], key: str) -> None:
        """Swap plain env values for lookups; variables added in values come after."""
        base = f".Values.{key}.env"
        plain: dict[str, t.Any] = {}
        items = container.get("env") or []
        for item in items:
            if set(item) == {"name", "value"}:
                plain[item["name"]] = item["value"]
                item["value"] = Action(f"index {base} {go_string(item['name'])} | quote")
        values["env"] = plain
        self.plan.free_form.add((key, "env"))
        if items:
            known = " ".join(go_string(name) for name in plain)
            source = f"omit {base} {known}" if known else base
            items.append(Splice(lambda indent, _key: _extra_env(source, indent)))
        else:
            container["env"] = Splice(lambda indent, name: _env_block(base, indent, name))

    def service(self, tree: Manifest, key: str) -> None:
        spec = tree["spec"]
        if not spec.get("ports"):
            return
        base = f".Values.{key}.service"
        service_type = spec.get("type", "ClusterIP")
        self.section(key)["service"] = {"type": service_type, "ports": spec["ports"]}
        self.plan.free_form.add((key, "service", "ports"))
        if "type" in spec:
            spec["type"] = Action(f"{base}.type | quote")
        else:
            spec["type"] = optional_scalar(f"{base}.type", unless="ClusterIP")
        self.plan.exposed.append((tree["metadata"]["name"], int(spec["ports"][0]["port"])))
        spec["ports"] = required_block(f"{base}.ports")

    def secret(self, tree: Manifest) -> str:
        name = tree["metadata"]["name"]
        key = self.secret_keys[name]
        base = f".Values.secrets.{key}"
        plain: dict[str, str] = {}
        for field_name in ("data", "stringData"):
            for data_key, value in (tree.get(field_name) or {}).items():
                text = _decode(value) if field_name == "data" else str(value)
                plain[data_key] = text if self.secret_values else ""
                self.plan.secret_paths.add(("secrets", key, "values", data_key))
                message = go_string(
                    f"secrets.{key}.values.{data_key} is required: set it, or set "
                    f"secrets.{key}.existingSecret to a Secret that has the key"
                )
                lookup = f"required {message} (index {base}.values {go_string(data_key)})"
                encode = " | toString | b64enc" if field_name == "data" else ""
                tree[field_name][data_key] = Action(f"{lookup}{encode} | quote")
        secrets = self.plan.values.setdefault("secrets", {})
        secrets[key] = {"existingSecret": "", "values": plain}
        return f"not {base}.existingSecret"

    def claim(self, tree: Manifest) -> str:
        name = tree["metadata"]["name"]
        key = self.claim_keys[name]
        base = f".Values.persistence.{key}"
        spec = tree["spec"]
        requests = spec.get("resources", {}).get("requests", {})
        persistence = self.plan.values.setdefault("persistence", {})
        persistence[key] = {
            "enabled": True,
            "size": requests.get("storage", ""),
            "storageClass": spec.get("storageClassName", ""),
            "accessModes": spec.get("accessModes", []),
            "existingClaim": "",
        }
        spec["accessModes"] = required_block(f"{base}.accessModes")
        spec["storageClassName"] = optional_scalar(f"{base}.storageClass")
        if "storage" in requests:
            requests["storage"] = Action(f"{base}.size | quote")
        return f"and {base}.enabled (not {base}.existingClaim)"

    def rewrite_common(self, tree: Manifest) -> None:
        """Template the name, the standard labels and references, anywhere in the tree."""
        tree["metadata"]["name"] = Action(self.object_name(tree["metadata"]["name"]))
        _walk(tree, self._rewrite_node)

    def _rewrite_node(self, node: dict[t.Any, t.Any], parent: str | None) -> None:
        if NAME_LABEL in node and PART_OF_LABEL in node:
            helper = "labels" if node.pop(MANAGED_BY_LABEL, None) is not None else "selectorLabels"
            node[include_lines(f"{self.chart}.{helper}")] = None
        for (parent_key, field_name), kind in REFERENCES.items():
            value = node.get(field_name)
            if parent == parent_key and isinstance(value, str):
                action = self.reference(kind, value)
                if action is not None:
                    node[field_name] = action
        target = node.get("scaleTargetRef") if parent == "spec" else None
        if isinstance(target, dict) and isinstance(target.get("name"), str):
            action = self.reference(str(target.get("kind")), target["name"])
            if action is not None:
                target["name"] = action
        volume_claim = node.get("persistentVolumeClaim")
        if "name" in node and isinstance(volume_claim, dict):
            self._claim_volume(node, volume_claim)

    def _claim_volume(self, volume: dict[t.Any, t.Any], claim: dict[str, t.Any]) -> None:
        """Let a pod volume fall back to emptyDir when its claim's persistence is off."""
        name = claim.get("claimName")
        if not isinstance(name, str) or name not in self.claim_keys:
            return
        base = f".Values.persistence.{self.claim_keys[name]}"
        reference = self.reference("PersistentVolumeClaim", name)
        assert reference is not None
        other = {k: v for k, v in claim.items() if k != "claimName"}
        del volume["persistentVolumeClaim"]

        def render(indent: int, key: str | None) -> list[str]:
            lines = [f"{{{{- if {base}.enabled }}}}", "persistentVolumeClaim:"]
            lines.append(f"  claimName: {{{{ {reference.text} }}}}")
            lines.extend(f"  {scalar(k)}: {scalar(v)}" for k, v in other.items())
            return [*lines, "{{- else }}", "emptyDir: {}", "{{- end }}"]

        volume[Splice(render)] = None


def build_plan(
    chart: str, objects: list[Manifest], services: list[str], *, secret_values: bool
) -> ChartPlan:
    """Return the values and template trees of a chart made from converted objects."""
    return _Builder(chart, objects, services, secret_values).build(objects)


def _unique_keys(objects: list[Manifest], kind: str) -> dict[str, str]:
    """Map the name of each object of ``kind`` to its values key, rejecting collisions."""
    keys: dict[str, str] = {}
    owners: dict[str, str] = {}
    for obj in objects:
        if obj["kind"] != kind:
            continue
        name = obj["metadata"]["name"]
        key = values_key(name)
        if key in owners:
            raise ConversionError(
                f"{kind} {owners[key]!r} and {kind} {name!r} both become values key {key!r}",
                hint="rename the compose element of one of them",
            )
        owners[key] = name
        keys[name] = key
    return keys


def _pod_spec(tree: Manifest) -> dict[str, t.Any] | None:
    """Return the pod spec of a workload: under spec.template, or spec.jobTemplate."""
    spec = tree.get("spec", {})
    if tree.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    pod = spec.get("template", {}).get("spec")
    return pod if isinstance(pod, dict) else None


def _walk(node: t.Any, visit: t.Callable[[dict[t.Any, t.Any], str | None], None]) -> None:
    """Call ``visit(mapping, parent key)`` on every mapping below ``node``, parents first."""

    def walk(item: t.Any, parent: str | None) -> None:
        if isinstance(item, dict):
            visit(item, parent)
            for key, value in list(item.items()):
                walk(value, key if isinstance(key, str) else None)
        elif isinstance(item, list):
            for value in item:
                walk(value, parent)

    walk(node, None)


def _decode(value: t.Any) -> str:
    """Return the text of a base64 ``data`` value of a Secret."""
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        # NOTE: convert writes only text values; binary data would need a binary value.
        raise ConversionError(
            "a Secret value is not UTF-8 text, and chart values can only contain text"
        ) from error


def _extra_env(source: str, indent: int) -> list[str]:
    """Return lines that add the env variables that only the values define."""
    return [
        f"{{{{- range $name, $value := {source} }}}}",
        "- name: {{ $name | quote }}",
        "  value: {{ $value | quote }}",
        "{{- end }}",
    ]


def _env_block(base: str, indent: int, key: str | None) -> list[str]:
    """Return lines that write ``env:`` when the values define variables."""
    return [
        f"{{{{- with {base} }}}}",
        f"{key}:",
        "{{- range $name, $value := . }}",
        "- name: {{ $name | quote }}",
        "  value: {{ $value | quote }}",
        "{{- end }}",
        "{{- end }}",
    ]
