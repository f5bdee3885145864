"""Validation that answers 422 Invalid: names, a few required fields, immutable fields.

Messages follow pkg/apis/{core,apps,batch}/validation of Kubernetes 1.32. Values inside
`Invalid value:` are printed the way Go's `%#v` prints them for the types involved
(`v1.LabelSelector{...}`, `[]string{...}`), because clients and users match on that text.
Unknown-field checks for `fieldValidation` live in `fields.py`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.apiserver import quantities
from tests.apiserver.resources import ResourceType
from tests.apiserver.status import Cause

JsonObject = dict[str, Any]

SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")

SUBDOMAIN_TEXT = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_TEXT = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_TEXT = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)

STATEFULSET_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)
STATEFULSET_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
PVC_FORBIDDEN = (
    "spec is immutable after creation except resources.requests and "
    "volumeAttributesClassName for bound claims"
)
POD_TEMPLATE_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def go_string(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def go_label_selector(selector: Any) -> str:
    """Print a LabelSelector as Go's `%#v` does for `*v1.LabelSelector`."""
    if not isinstance(selector, dict):
        return "(*v1.LabelSelector)(nil)"
    labels = selector.get("matchLabels") or {}
    if labels:
        pairs = ", ".join(f"{go_string(k)}:{go_string(labels[k])}" for k in sorted(labels))
        labels_text = "map[string]string{" + pairs + "}"
    else:
        labels_text = "map[string]string(nil)"
    expressions = selector.get("matchExpressions") or []
    if expressions:
        items = ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{go_string(e.get('key', ''))}, "
            f"Operator:{go_string(e.get('operator', ''))}, "
            f"Values:[]string{{{', '.join(go_string(v) for v in e.get('values') or [])}}}}}"
            for e in expressions
        )
        expressions_text = "[]v1.LabelSelectorRequirement{" + items + "}"
    else:
        expressions_text = "[]v1.LabelSelectorRequirement(nil)"
    return f"v1.LabelSelector{{MatchLabels:{labels_text}, MatchExpressions:{expressions_text}}}"


def go_string_slice(values: Any) -> str:
    return "[]string{" + ", ".join(go_string(v) for v in values or []) + "}"


def _name_rule(resource: ResourceType) -> tuple[re.Pattern[str], str, int]:
    if resource.kind == "Namespace":
        return LABEL, LABEL_TEXT, 63
    if resource.kind == "Service":
        return DNS1035, DNS1035_TEXT, 63
    return SUBDOMAIN, SUBDOMAIN_TEXT, 253


def validate_name(resource: ResourceType, name: str) -> list[Cause]:
    if not name:
        return [
            Cause(
                "FieldValueRequired",
                "Required value: name or generateName is required",
                "metadata.name",
            )
        ]
    pattern, text, max_length = _name_rule(resource)
    causes = []
    if len(name) > max_length:
        message = f"Invalid value: {go_string(name)}: must be no more than {max_length} characters"
        causes.append(Cause("FieldValueInvalid", message, "metadata.name"))
    if not pattern.fullmatch(name):
        causes.append(
            Cause("FieldValueInvalid", f"Invalid value: {go_string(name)}: {text}", "metadata.name")
        )
    return causes


def _pod_spec_path(resource: ResourceType) -> tuple[list[str], str]:
    if resource.kind == "Pod":
        return ["spec"], "spec"
    if resource.kind == "CronJob":
        return [
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "spec",
        ], "spec.jobTemplate.spec.template.spec"
    return ["spec", "template", "spec"], "spec.template.spec"


def _dig(obj: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _validate_containers(pod_spec: JsonObject, prefix: str) -> list[Cause]:
    causes: list[Cause] = []
    containers = pod_spec.get("containers")
    if not containers:
        causes.append(Cause("FieldValueRequired", "Required value", f"{prefix}.containers"))
    seen: set[str] = set()
    for list_name in ("initContainers", "containers"):
        for index, container in enumerate(pod_spec.get(list_name) or []):
            path = f"{prefix}.{list_name}[{index}]"
            name = container.get("name", "")
            if not name:
                causes.append(Cause("FieldValueRequired", "Required value", f"{path}.name"))
            elif not LABEL.fullmatch(name) or len(name) > 63:
                message = f"Invalid value: {go_string(name)}: {LABEL_TEXT}"
                causes.append(Cause("FieldValueInvalid", message, f"{path}.name"))
            elif name in seen:
                causes.append(
                    Cause(
                        "FieldValueDuplicate", f"Duplicate value: {go_string(name)}", f"{path}.name"
                    )
                )
            seen.add(name)
            if not container.get("image"):
                causes.append(Cause("FieldValueRequired", "Required value", f"{path}.image"))
    return causes


def validate_object(obj: JsonObject, resource: ResourceType) -> list[Cause]:
    """Return the causes that make a defaulted object invalid on create or update."""
    causes = validate_name(resource, obj.get("metadata", {}).get("name", ""))
    spec = obj.get("spec") or {}
    if resource.kind in POD_TEMPLATE_KINDS or resource.kind in ("Pod", "CronJob"):
        keys, prefix = _pod_spec_path(resource)
        pod_spec = _dig(obj, keys)
        if isinstance(pod_spec, dict):
            causes += _validate_containers(pod_spec, prefix)
            restart = pod_spec.get("restartPolicy")
            if resource.kind in ("Job", "CronJob") and restart not in ("OnFailure", "Never"):
                message = (
                    f"Unsupported value: {go_string(restart)}: "
                    'supported values: "OnFailure", "Never"'
                )
                causes.append(Cause("FieldValueNotSupported", message, f"{prefix}.restartPolicy"))
    if resource.kind in ("Deployment", "StatefulSet", "DaemonSet"):
        causes += _validate_selector(spec)
    return causes


def _validate_selector(spec: JsonObject) -> list[Cause]:
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        return [Cause("FieldValueRequired", "Required value", "spec.selector")]
    labels = _dig(spec, ["template", "metadata", "labels"]) or {}
    match_labels = selector.get("matchLabels") or {}
    if any(labels.get(k) != v for k, v in match_labels.items()):
        pairs = ", ".join(f"{go_string(k)}:{go_string(labels[k])}" for k in sorted(labels))
        value = "map[string]string{" + pairs + "}"
        message = f"Invalid value: {value}: `selector` does not match template `labels`"
        return [Cause("FieldValueInvalid", message, "spec.template.metadata.labels")]
    return []


def validate_update(old: JsonObject, new: JsonObject, resource: ResourceType) -> list[Cause]:
    """Return the causes that forbid changing `old` into `new`."""
    old_spec = old.get("spec") or {}
    new_spec = new.get("spec") or {}
    kind = resource.kind
    causes: list[Cause] = []
    if kind in ("Deployment", "DaemonSet", "Job") and old_spec.get("selector") != new_spec.get(
        "selector"
    ):
        value = go_label_selector(new_spec.get("selector"))
        causes.append(
            Cause(
                "FieldValueInvalid", f"Invalid value: {value}: field is immutable", "spec.selector"
            )
        )
    if kind == "Job" and old_spec.get("template") != new_spec.get("template"):
        # NOTE: a real server prints the whole core.PodTemplateSpec here; this prints JSON.
        value = json.dumps(new_spec.get("template"), sort_keys=True)
        causes.append(
            Cause(
                "FieldValueInvalid", f"Invalid value: {value}: field is immutable", "spec.template"
            )
        )
    if kind == "StatefulSet":
        old_rest = {k: v for k, v in old_spec.items() if k not in STATEFULSET_MUTABLE}
        new_rest = {k: v for k, v in new_spec.items() if k not in STATEFULSET_MUTABLE}
        if old_rest != new_rest:
            causes.append(
                Cause("FieldValueForbidden", f"Forbidden: {STATEFULSET_FORBIDDEN}", "spec")
            )
    if kind == "Service":
        causes += _validate_service_update(old_spec, new_spec)
    if kind == "PersistentVolumeClaim":
        causes += _validate_claim_update(old, new)
    if kind in ("ConfigMap", "Secret") and old.get("immutable"):
        for key in ("data", "binaryData"):
            if old.get(key) != new.get(key):
                message = "Forbidden: field is immutable when `immutable` is set"
                causes.append(Cause("FieldValueForbidden", message, key))
        if not new.get("immutable"):
            causes.append(
                Cause(
                    "FieldValueForbidden",
                    "Forbidden: field is immutable when `immutable` is set",
                    "immutable",
                )
            )
    return causes


def _validate_service_update(old_spec: JsonObject, new_spec: JsonObject) -> list[Cause]:
    if "ExternalName" in (old_spec.get("type"), new_spec.get("type")):
        return []
    old_ips = old_spec.get("clusterIPs") or []
    new_ips = new_spec.get("clusterIPs") or []
    if old_ips and not new_ips:
        return [
            Cause(
                "FieldValueRequired",
                "Required value: primary clusterIP can not be unset",
                "spec.clusterIPs[0]",
            )
        ]
    if old_ips and new_ips and old_ips[0] != new_ips[0]:
        message = f"Invalid value: {go_string_slice(new_ips)}: may not change once set"
        return [Cause("FieldValueInvalid", message, "spec.clusterIPs[0]")]
    return []


def _storage_request(spec: JsonObject) -> str | None:
    value = _dig(spec, ["resources", "requests", "storage"])
    return str(value) if value is not None else None


def _validate_claim_update(old: JsonObject, new: JsonObject) -> list[Cause]:
    old_spec = json.loads(json.dumps(old.get("spec") or {}))
    new_spec = json.loads(json.dumps(new.get("spec") or {}))
    old_size = _storage_request(old_spec)
    new_size = _storage_request(new_spec)
    bound = (old.get("status") or {}).get("phase") == "Bound"
    if bound and old_size is not None and new_size is not None:
        new_spec["resources"]["requests"]["storage"] = old_size
    for spec in (old_spec, new_spec):
        spec.pop("volumeAttributesClassName", None)
    causes: list[Cause] = []
    if old_spec != new_spec:
        # NOTE: a real server appends a go-cmp diff of core.PersistentVolumeClaimSpec.
        old_text = json.dumps(old_spec, sort_keys=True)
        diff = f"old: {old_text}\nnew: {json.dumps(new_spec, sort_keys=True)}"
        causes.append(Cause("FieldValueForbidden", f"Forbidden: {PVC_FORBIDDEN}\n{diff}", "spec"))
    if old_size and new_size and quantities.parse(new_size) < quantities.parse(old_size):
        message = "Forbidden: field can not be less than previous value"
        causes.append(Cause("FieldValueForbidden", message, "spec.resources.requests.storage"))
    return causes
