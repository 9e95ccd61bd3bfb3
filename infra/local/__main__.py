"""`python -m infra.local`: start the local stack (what `make run` does) and serve until Ctrl-C.

Settings (environment): BILLING_LOCAL_PORT (3000), BILLING_CLOCK_START (RFC 3339; real time if
unset), BILLING_TIME_ZONE (the template's BillingTimeZone parameter), BILLING_OPERATOR_KEY (an operator
API key from the start; only its hash reaches the functions), BILLING_TEMPLATE (template.yaml).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from infra.local.stack import LocalStack, LocalStackOptions
from shared.instants import parse_instant

REPO_ROOT = Path(__file__).resolve().parents[2]


def options_from_environment(argv: list[str]) -> LocalStackOptions:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="log every request")
    arguments = parser.parse_args(argv)
    overrides = {}
    if os.environ.get("BILLING_TIME_ZONE"):
        overrides["BillingTimeZone"] = os.environ["BILLING_TIME_ZONE"]
    start = os.environ.get("BILLING_CLOCK_START")
    return LocalStackOptions(
        template_path=Path(os.environ.get("BILLING_TEMPLATE") or REPO_ROOT / "template.yaml"),
        port=int(os.environ.get("BILLING_LOCAL_PORT") or 3000),
        clock_start=parse_instant(start) if start else None,
        parameter_overrides=overrides,
        operator_key=os.environ.get("BILLING_OPERATOR_KEY") or None,
        verbose=arguments.verbose,
    )


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stack = LocalStack(options_from_environment(argv))
    stack.start()
    print(f"Local stack ready on {stack.base_url}  (clock {stack.clock.now().isoformat()})", flush=True)
    print(f"  API docs:  {stack.base_url}/v1/docs", flush=True)
    print(f"  Emulator:  {stack.aws.endpoint_url}  (AWS_ENDPOINT_URL for the aws CLI or boto3)", flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
