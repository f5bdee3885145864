"""Talking to a Kubernetes cluster: apply, prune, wait and diff.

Only the ``apply`` and ``diff`` commands import this package, because it loads the
``kubernetes`` client, which costs most of a second at start-up.
"""
