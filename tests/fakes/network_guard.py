"""Fail any test that opens a connection off the machine.

The autouse fixture ``network_guard`` patches ``socket.socket.connect``,
``socket.socket.connect_ex`` and ``socket.create_connection`` for the
duration of each test. A connection to anything but loopback (127.0.0.0/8,
::1, ``localhost``) or a unix socket raises ``NonLoopbackConnectionError``
and is recorded; if the code under test swallowed that error, the test still
fails at teardown.

Extra hosts (say a PostgreSQL service in CI) are allowed by listing them in
``ADVENTORATOR_TEST_ALLOW_HOSTS`` (comma-separated names or addresses); the
host of ``ADVENTORATOR_TEST_DATABASE_URL`` is allowed automatically.

Use as a plugin (``pytest_plugins = ["tests.fakes.network_guard"]``) or import
the fixture into a conftest.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = ["NetworkGuard", "NonLoopbackConnectionError", "network_guard"]

ALLOW_ENV = "ADVENTORATOR_TEST_ALLOW_HOSTS"
_DATABASE_ENV = "ADVENTORATOR_TEST_DATABASE_URL"


class NonLoopbackConnectionError(ConnectionRefusedError):
    """A test tried to reach an address off the machine."""


class NetworkGuard:
    """Decides which addresses a test may connect to, and records the others."""

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_addresses: set[str] = set()
        for host in allowed_hosts:
            self.allowed_addresses.update(_resolve(host))
        self.blocked: list[str] = []

    def is_allowed(self, address: Any) -> bool:
        """True for loopback, unix socket paths, non-IP families and allowed hosts."""
        if isinstance(address, str | bytes):  # AF_UNIX path (or abstract name)
            return True
        if not (isinstance(address, tuple) and address and isinstance(address[0], str)):
            return True  # AF_NETLINK and friends: not the network
        host = address[0].split("%", 1)[0].strip("[]")
        if host.lower() == "localhost" or host in self.allowed_addresses:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False  # a host name other than localhost
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return ip.is_loopback

    def check(self, address: Any) -> None:
        """Raise ``NonLoopbackConnectionError`` (and record it) for a forbidden address."""
        if not self.is_allowed(address):
            description = repr(address)
            self.blocked.append(description)
            raise NonLoopbackConnectionError(
                f"network guard: test tried to connect to {description}"
            )

    def acknowledge(self) -> list[str]:
        """Forget the blocked attempts so far (for tests that trip the guard on purpose)."""
        blocked, self.blocked = self.blocked, []
        return blocked

    @contextmanager
    def installed(self) -> Iterator[NetworkGuard]:
        """Patch the socket module while the block runs."""
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_create_connection = socket.create_connection

        def connect(sock: socket.socket, address: Any) -> None:
            self.check(address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            self.check(address)
            return real_connect_ex(sock, address)

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
            self.check(address)
            return real_create_connection(address, *args, **kwargs)

        patches: list[tuple[Any, str, Callable[..., Any]]] = [
            (socket.socket, "connect", connect),
            (socket.socket, "connect_ex", connect_ex),
            (socket, "create_connection", create_connection),
        ]
        originals = [(target, name, getattr(target, name)) for target, name, _ in patches]
        try:
            for target, name, replacement in patches:
                setattr(target, name, replacement)
            yield self
        finally:
            for target, name, original in originals:
                setattr(target, name, original)


def _resolve(host: str) -> set[str]:
    host = host.strip()
    if not host:
        return set()
    found = {host}
    try:
        for *_, sockaddr in socket.getaddrinfo(host, None):
            found.add(str(sockaddr[0]))
    except OSError:
        pass
    return found


def allowed_hosts_from_env() -> list[str]:
    """``ADVENTORATOR_TEST_ALLOW_HOSTS`` plus the test database's host."""
    hosts = [h for h in os.environ.get(ALLOW_ENV, "").split(",") if h.strip()]
    database_url = os.environ.get(_DATABASE_ENV)
    if database_url:
        host = urlsplit(database_url).hostname
        if host:
            hosts.append(host)
    return hosts


@pytest.fixture(autouse=True)
def network_guard() -> Iterator[NetworkGuard]:
    """Every test: connections off loopback raise, and fail the test even if caught."""
    guard = NetworkGuard(allowed_hosts_from_env())
    with guard.installed():
        yield guard
    if guard.blocked:
        pytest.fail(
            "network guard: the test tried to leave loopback: " + ", ".join(guard.blocked),
            pytrace=False,
        )
