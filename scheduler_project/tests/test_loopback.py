"""Tests reach only 127.0.0.1 (the guard in the root conftest)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest


def test_a_host_name_other_than_loopback_does_not_resolve() -> None:
    with pytest.raises(socket.gaierror, match=r"only 127\.0\.0\.1"):
        socket.getaddrinfo("hooks.example.org", 443)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen("https://hooks.example.org/a", timeout=1)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_still_resolves(host: str) -> None:
    assert socket.getaddrinfo(host, 5432)
