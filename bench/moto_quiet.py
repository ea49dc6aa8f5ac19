"""moto's S3 server as `python -m moto.server -H HOST -p PORT` runs it, without its log line
per request: werkzeug's request logging took ~14% of moto's time in the benchmark.

    python -m bench.moto_quiet -H 127.0.0.1 -p 5000
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log line (werkzeug formats it before the logger's level is checked)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto.server does
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # errors are still logged
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # type: ignore[attr-defined]  # as moto.server does
    run_simple(args.host, args.port, app, threaded=True, request_handler=QuietRequestHandler)


if __name__ == "__main__":
    main()
