"""Image references and the stages whose layers end up in the built image."""

from __future__ import annotations

from dataclasses import dataclass

from kompile.check.dockerfile import Dockerfile, Stage

_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True)
class ImageReference:
    """An image reference split into ``[registry/]repository[:tag][@digest]``."""

    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def official_name(self) -> str | None:
        """Return the Docker Hub official image name (``python``), or None for others."""
        if self.registry is not None and self.registry not in _DOCKER_HUB:
            return None
        name = self.repository.removeprefix("library/")
        return None if "/" in name else name


def parse_image(reference: str) -> ImageReference:
    """Split an image reference. The first path part is a registry when it has . or :."""
    name, _, digest = reference.partition("@")
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    registry = None
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, name = first, rest
    return ImageReference(registry, name, tag, digest or None)


def external_bases(dockerfile: Dockerfile) -> list[Stage]:
    """Return the stages whose FROM names an image from a registry.

    ``scratch``, earlier stages and bases that still hold an unset ``$VARIABLE`` are
    left out, because no registry image stands behind them.
    """
    names: set[str] = set()
    stages = []
    for stage in dockerfile.stages:
        base = stage.base.lower()
        if base and base != "scratch" and base not in names and "$" not in base:
            stages.append(stage)
        if stage.name:
            names.add(stage.name)
    return stages


def image_stages(dockerfile: Dockerfile) -> list[Stage]:
    """Return the final stage and the earlier stages it builds on, last one first.

    ``FROM builder`` makes the final image contain every layer of stage ``builder``;
    layers of other stages reach it only through ``COPY --from``.
    """
    by_name = {stage.name: stage for stage in dockerfile.stages if stage.name}
    chain = [dockerfile.final_stage]
    while True:
        parent = by_name.get(chain[-1].base.lower())
        if parent is None or parent in chain or parent.index >= chain[-1].index:
            return chain
        chain.append(parent)


def root_base(dockerfile: Dockerfile) -> str:
    """Return the registry image (or ``scratch``) at the bottom of the final image."""
    return image_stages(dockerfile)[-1].base
