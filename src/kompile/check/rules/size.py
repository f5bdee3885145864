"""Size rules: build tools in a one-stage image, large base images, package caches."""

from __future__ import annotations

import fnmatch
import typing as t

from kompile.check.images import image_stages, parse_image, root_base
from kompile.check.model import Hit, Severity, rule
from kompile.check.service import ServiceView
from kompile.check.shell import package_installs

# Packages that compile code. A final image rarely needs them at run time.
BUILD_TOOL_PATTERNS = (
    "gcc",
    "gcc-*",
    "g++",
    "g++-*",
    "clang",
    "clang-*",
    "make",
    "cmake",
    "build-essential",
    "build-base",
    "alpine-sdk",
    "golang",
    "golang-*",
    "rustc",
    "cargo",
    "maven",
    "gradle",
    "*-jdk",
    "*-jdk-headless",
    "*-dev",
    "*-devel",
)
# Official images that are compiler toolchains.
TOOLCHAIN_IMAGES = frozenset({"golang", "rust", "maven", "gradle", "gcc"})
# Official images with a well-known smaller variant: the tag suffix of that variant.
VARIANT_SUFFIXES = {
    "python": "-slim",
    "node": "-alpine",
    "ruby": "-slim",
    "perl": "-slim",
    "php": "-alpine",
    "debian": "-slim",
    "nginx": "-alpine",
    "httpd": "-alpine",
    "redis": "-alpine",
    "postgres": "-alpine",
    "eclipse-temurin": "-jre",
}
# Official images whose smaller form is another image.
OTHER_VARIANTS = {
    "golang": "a build stage with a final stage FROM scratch or gcr.io/distroless/static",
    "openjdk": "eclipse-temurin with a -jre tag",
}
_MINIMAL_MARKERS = ("slim", "alpine", "distroless", "minimal", "jre", "static", "busybox")
_MINIMAL_IMAGES = frozenset({"scratch", "alpine", "busybox"})


def _build_tools(packages: t.Iterable[str]) -> list[str]:
    found = []
    for package in packages:
        name = package.split("=")[0]
        if any(fnmatch.fnmatch(name, pattern) for pattern in BUILD_TOOL_PATTERNS):
            found.append(name)
    return found


@rule(
    "single-stage-build",
    Severity.WARNING,
    group="size",
    summary="A one-stage Dockerfile installs compilers or starts from a toolchain image.",
    fix="build in a first stage and COPY --from it only the results into a small final stage",
)
def single_stage_build(service: ServiceView) -> t.Iterator[Hit]:
    dockerfile = service.dockerfile
    if dockerfile is None or len(dockerfile.stages) != 1:
        return
    stage = dockerfile.final_stage
    if parse_image(stage.base).official_name in TOOLCHAIN_IMAGES:
        message = f"the only stage starts from the toolchain image {stage.base}"
        yield service.dockerfile_hit(message, stage.line)
        return
    for instruction in stage.find("RUN"):
        tools = [
            tool
            for install in package_installs(instruction.script())
            if install.manager not in ("pip", "pip3")
            for tool in _build_tools(install.packages)
        ]
        if tools:
            message = f"the only stage installs build tools ({', '.join(tools)})"
            yield service.dockerfile_hit(message, instruction.line)


def _smaller_variant(reference: str) -> str | None:
    image = parse_image(reference)
    name = image.official_name
    if name is None or name in _MINIMAL_IMAGES:
        return None
    tag = image.tag or "latest"
    if any(marker in tag for marker in _MINIMAL_MARKERS):
        return None
    if name in OTHER_VARIANTS:
        return OTHER_VARIANTS[name]
    suffix = VARIANT_SUFFIXES.get(name)
    if suffix is None:
        return None
    if tag == "latest":
        return f"{name}:{suffix[1:]}"
    if suffix == "-jre" and "jdk" in tag:
        return f"{name}:{tag.replace('jdk', 'jre')}"
    return f"{name}:{tag}{suffix}"


@rule(
    "base-not-minimal",
    Severity.INFO,
    group="size",
    summary="The image starts from a full distribution where a slim or alpine variant exists.",
    fix="use the smaller variant of the same image and version, and add what it lacks",
)
def base_not_minimal(service: ServiceView) -> t.Iterator[Hit]:
    if service.dockerfile is not None:
        stage = image_stages(service.dockerfile)[-1]
        variant = _smaller_variant(root_base(service.dockerfile))
        if variant:
            message = (
                f"the final image starts from {stage.base}, which has the smaller variant {variant}"
            )
            yield service.dockerfile_hit(message, stage.line)
    elif service.build is None and service.image:
        variant = _smaller_variant(service.image)
        if variant:
            message = f"image {service.image} is a full image, with the smaller variant {variant}"
            yield Hit(message, ("image",))


def _cache_left(manager: str, words: tuple[str, ...], script: str, pip_cache_off: bool) -> str:
    """Return the cache folder that the install leaves in the layer, or ``""``."""
    if manager in ("apt-get", "apt") and "/var/lib/apt/lists" not in script:
        return "/var/lib/apt/lists"
    if manager == "apk" and "--no-cache" not in words and "/var/cache/apk" not in script:
        return "/var/cache/apk"
    if manager in ("yum", "dnf", "microdnf") and "clean all" not in script:
        return f"/var/cache/{'yum' if manager == 'yum' else 'dnf'}"
    if manager == "zypper" and not ("zypper clean" in script or "zypper cc" in script):
        return "/var/cache/zypp"
    if manager in ("pip", "pip3") and "--no-cache-dir" not in words and not pip_cache_off:
        return "the pip cache"
    return ""


@rule(
    "package-cache",
    Severity.WARNING,
    group="size",
    summary="A RUN installs packages and leaves the package manager's cache in the layer.",
    fix="clean up in the same RUN: apt-get ... && rm -rf /var/lib/apt/lists/*, "
    "apk add --no-cache, dnf clean all, pip install --no-cache-dir",
)
def package_cache(service: ServiceView) -> t.Iterator[Hit]:
    environment = service.image_instructions("ENV")
    pip_cache_off = any("PIP_NO_CACHE_DIR" in instruction.body for instruction in environment)
    for instruction in service.image_instructions("RUN"):
        if "type=cache" in instruction.flags.get("mount", ""):
            continue  # a cache mount keeps the cache out of the layer
        script = instruction.script()
        for install in package_installs(script):
            left = _cache_left(install.manager, install.words, script, pip_cache_off)
            if left:
                message = f"RUN installs packages with {install.manager} and keeps {left}"
                yield service.dockerfile_hit(message, instruction.line)
                break
