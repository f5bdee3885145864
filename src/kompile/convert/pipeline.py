"""Runs the mappers over a project and returns the objects in apply order.

Objects are ordered by kind, in the order a cluster needs them (the namespace before what
lives in it, claims and Secrets before the pods that use them), then by name, so the
output is the same on every run.
"""

from __future__ import annotations

from kompile.compose.model import Project
from kompile.convert import (
    autoscaling,
    extensions,
    ingress,
    inlinesecrets,
    names,
    networkpolicy,
    pods,
    secrets,
    services,
    workloads,
)
from kompile.convert.context import Context, ConvertOptions, Manifest
from kompile.convert.storage import StoragePlan
from kompile.diagnostics import Diagnostics
from kompile.errors import ConversionError

KIND_ORDER = (
    "Namespace",
    "ServiceAccount",
    "Secret",
    "ExternalSecret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Ingress",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
)
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def sort_objects(objects: list[Manifest]) -> list[Manifest]:
    """Sort objects into apply order: by kind rank, then by name."""
    return sorted(
        objects,
        key=lambda obj: (
            _RANK.get(obj["kind"], len(KIND_ORDER)),
            obj["kind"],
            obj["metadata"]["name"],
        ),
    )


def convert_project(
    project: Project, options: ConvertOptions, diagnostics: Diagnostics
) -> list[Manifest]:
    """Return the Kubernetes objects for every active service of ``project``."""
    extensions.validate_project(project)
    secrets.check_options(options)
    if options.namespace is not None:
        names.check_namespace(options.namespace)
    context = Context(project, options, diagnostics)
    storage = StoragePlan(context)
    objects: list[Manifest] = []
    if options.create_namespace:
        if not options.namespace:
            raise ConversionError("--create-namespace needs a namespace", hint="add -n NAMESPACE")
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": context.metadata(
                    "Namespace", options.namespace, owner="--namespace", namespaced=False
                ),
            }
        )
    pod_of = pods.sidecar_targets(context)
    service_pods: dict[str, workloads.ServicePod] = {}
    for name, service in project.services.items():
        if not service.get("image"):
            raise ConversionError(
                "the service has no image, and kompile does not build images",
                location=project.locate(("services", name)),
                key_path=("services", name),
                hint="build and push the image, then set image: to its name",
            )
        env, secret_objects = secrets.split_environment(context, name, service)
        inlinesecrets.warn_inline_secrets(context, name, service)
        pod_storage = storage.pod_storage(name, service)
        service_pods[name] = workloads.ServicePod(name, service, env, pod_storage)
        objects.extend(secret_objects)
    workloads.warn_sidecar_references(context, pod_of)
    templated_claims: set[str] = set()
    claim_users = workloads.claim_users(service_pods)
    sidecars_of: dict[str, list[workloads.ServicePod]] = {}
    for member, root in pod_of.items():
        sidecars_of.setdefault(root, []).append(service_pods[member])
    for name, service_pod in service_pods.items():
        if name in pod_of:
            continue
        sidecars = sidecars_of.get(name, [])
        pod_service = workloads.pod_service(service_pod, sidecars)
        ports = services.service_ports(pod_service)
        shared = workloads.claims_mounted_elsewhere(claim_users, [service_pod, *sidecars])
        built = workloads.build(context, service_pod, sidecars, pod_of, shared, ports)
        objects.extend(built.objects)
        templated_claims |= built.templated_claims
        workload = next(obj for obj in built.objects if obj["kind"] in WORKLOAD_KINDS)
        service_object = services.service_manifest(context, name, pod_service)
        objects.append(service_object)
        objects.extend(services.alias_services(context, name, pod_service, service_object))
        for extra in (
            ingress.ingress_manifest(context, name, pod_service, service_object),
            autoscaling.autoscaler_manifest(context, name, pod_service, workload),
        ):
            if extra is not None:
                objects.append(extra)
        if options.network_policies:
            networkpolicy.label_pods(pod_service, workload)
    objects.extend(
        obj
        for obj in storage.objects()
        if obj["kind"] != "PersistentVolumeClaim" or obj["metadata"]["name"] not in templated_claims
    )
    if options.network_policies:
        objects.extend(networkpolicy.network_policies(context))
    secrets.check_config_maps(context, objects)
    return sort_objects(objects)
