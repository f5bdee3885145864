"""Run the API double on its own: `python -m tests.apiserver --port 0 --kubeconfig PATH`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from tests.apiserver.server import ApiServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.apiserver", description="Serve the Kubernetes API double."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for the server to this path")
    parser.add_argument(
        "--namespace", default="default", help="namespace of the kubeconfig context"
    )
    parser.add_argument(
        "--controller-delay",
        type=float,
        default=0.05,
        help="seconds before simulated controllers report workload status",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    server = ApiServer(port=args.port, controller_delay=args.controller_delay)
    if args.kubeconfig:
        server.write_kubeconfig(args.kubeconfig, args.namespace)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    server.start()
    print(server.url, flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
