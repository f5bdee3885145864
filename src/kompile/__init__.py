"""kompile: turn Docker Compose projects into Kubernetes."""

__version__ = "0.1.0"
