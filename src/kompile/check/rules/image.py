"""Image rules: pinned tags and digests, and a name for every built image."""

from __future__ import annotations

import typing as t

from kompile.check.images import external_bases, parse_image
from kompile.check.model import Hit, Severity, rule
from kompile.check.service import ServiceView


def _tag_problem(reference: str) -> str | None:
    image = parse_image(reference)
    if image.digest:
        return None
    if image.tag is None:
        return "has no tag, so it means whatever 'latest' points to at pull time"
    if image.tag == "latest":
        return "uses the tag 'latest', which points to a different image after each push"
    return None


@rule(
    "image-latest",
    Severity.WARNING,
    group="image",
    summary="An image or base image has no tag or uses the tag 'latest'.",
    fix="pin a version tag, such as postgres:16.4, or a digest",
)
def image_latest(service: ServiceView) -> t.Iterator[Hit]:
    if service.image and (problem := _tag_problem(service.image)):
        yield Hit(f"image {service.image} {problem}", ("image",))
    if service.dockerfile:
        for stage in external_bases(service.dockerfile):
            if problem := _tag_problem(stage.base):
                yield service.dockerfile_hit(f"base image {stage.base} {problem}", stage.line)


@rule(
    "image-digest",
    Severity.ERROR,
    group="image",
    summary="With --require-digest: an image or base image is not pinned by digest.",
    fix="append the digest, as in postgres:16.4@sha256:<digest>, to pin the exact image",
)
def image_digest(service: ServiceView) -> t.Iterator[Hit]:
    if not service.options.require_digest:
        return
    if service.build is None:
        if service.image and not parse_image(service.image).digest:
            yield Hit(f"image {service.image} is not pinned by digest", ("image",))
        return
    # The image of a built service is the build's output, so only its bases can be pinned.
    if service.dockerfile:
        for stage in external_bases(service.dockerfile):
            if not parse_image(stage.base).digest:
                message = f"base image {stage.base} is not pinned by digest"
                yield service.dockerfile_hit(message, stage.line)


@rule(
    "build-without-image",
    Severity.WARNING,
    group="image",
    summary="A service is built but names no image, so a cluster has nothing to pull.",
    fix="set image: to the registry name the build is pushed to, such as "
    "registry.example.com/team/web:1.0",
)
def build_without_image(service: ServiceView) -> t.Iterator[Hit]:
    if service.build is not None and not service.image:
        message = "build: is set but image: is not, so the built image has no registry name"
        yield Hit(message, ("build",))
