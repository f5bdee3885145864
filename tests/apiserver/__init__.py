"""A Kubernetes API server test double: HTTP on 127.0.0.1, in-memory state."""
