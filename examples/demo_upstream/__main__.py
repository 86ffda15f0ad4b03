import argparse
import contextlib
import logging

from examples.demo_upstream.app import make_server

parser = argparse.ArgumentParser(description="Run the demo upstream API.")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8001)
args = parser.parse_args()
logging.basicConfig(level=logging.INFO, format="%(asctime)s demo-upstream: %(message)s")
server = make_server(args.host, args.port)
print(
    f"Demo upstream on http://{args.host}:{server.server_address[1]} (spec at /openapi.json)",
    flush=True,
)
with contextlib.suppress(KeyboardInterrupt):
    server.serve_forever()
