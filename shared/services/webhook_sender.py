"""One delivery attempt over the network: the target checked again on the address actually connected to (a name
that has come to resolve to a private address is refused without sending), no redirect followed, 10 seconds in all."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping

import urllib3
from urllib3.exceptions import HTTPError

from shared.webhooks.models import AttemptOutcome
from shared.webhooks.rules import ATTEMPT_TIMEOUT
from shared.webhooks.targets import (
    Address,
    Target,
    TargetPolicy,
    TargetRefused,
    check_addresses,
    parse_address,
    parse_target,
)

Resolver = Callable[[str, int], list[Address]]
USER_AGENT = "faceid-billing-webhooks/1.0"
_ANSWER_BYTES_READ = 4096  # of the receiver's answer body, which nothing uses


def resolve_host(host: str, port: int) -> list[Address]:
    """Every address a name resolves to, in the resolver's order, each once."""
    found: list[Address] = []
    for *_, socket_address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = parse_address(str(socket_address[0]))
        if address not in found:
            found.append(address)
    return found


def allowed_target(url: str, policy: TargetPolicy, resolve: Resolver = resolve_host) -> tuple[Target, Address]:
    """The target of `url` and the address a delivery to it would connect to, or TargetRefused (nothing is sent to
    check it)."""
    target = parse_target(url, policy)
    if target.address is not None:
        return target, target.address
    try:
        addresses = resolve(target.host, target.port)
    except OSError:
        raise TargetRefused(f"{target.host} does not resolve") from None
    return target, check_addresses(target, addresses, policy)


class WebhookSender:
    def __init__(self, policy: TargetPolicy, resolve: Resolver = resolve_host,
                 timeout_s: float = ATTEMPT_TIMEOUT.total_seconds(), ca_certs: str | None = None):
        self._policy = policy
        self._resolve = resolve
        self._timeout_s = timeout_s
        self._ca_certs = ca_certs  # the system's trust store when None

    def post(self, url: str, body: str, headers: Mapping[str, str]) -> AttemptOutcome:
        try:
            target, address = allowed_target(url, self._policy, self._resolve)
        except TargetRefused as error:
            return AttemptOutcome(False, None, f"not sent: {error}")
        options = {"timeout": urllib3.Timeout(total=self._timeout_s), "retries": False, "maxsize": 1}
        if target.scheme == "https":
            # Connected to the checked address; the certificate and SNI are the name's.
            pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                str(address), target.port, server_hostname=target.host, assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED", ca_certs=self._ca_certs, **options)
        else:
            pool = urllib3.HTTPConnectionPool(str(address), target.port, **options)
        started = time.monotonic()
        try:
            with pool:
                response = pool.urlopen(
                    "POST", target.path, body=body.encode("utf-8"), redirect=False, assert_same_host=False,
                    preload_content=False, headers={**headers, "Host": target.host_header,
                                                    "Content-Type": "application/json", "User-Agent": USER_AGENT})
                response.read(_ANSWER_BYTES_READ)
                response.release_conn()
        except HTTPError as error:
            return AttemptOutcome(False, None, f"no answer: {type(error).__name__}")
        if time.monotonic() - started > self._timeout_s:
            return AttemptOutcome(False, response.status, f"answered after more than {self._timeout_s:g} s")
        if 200 <= response.status < 300:
            return AttemptOutcome(True, response.status)
        if 300 <= response.status < 400:
            return AttemptOutcome(False, response.status, "a redirect, which deliveries never follow")
        return AttemptOutcome(False, response.status, f"answered HTTP {response.status}")
