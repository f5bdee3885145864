"""The rule modules, one per group. Importing this package registers every rule."""

from kompile.check.rules import (
    configuration,
    image,
    operations,
    privileges,
    process,
    secrets,
    size,
)

__all__ = ["configuration", "image", "operations", "privileges", "process", "secrets", "size"]
