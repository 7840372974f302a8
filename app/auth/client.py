"""The address a request comes from, believing X-Forwarded-For only from trusted proxies.

The peer's address is the client's unless the peer is one of VETTED_TRUSTED_PROXIES; then the
client is the right-most X-Forwarded-For entry that is not itself a trusted proxy (what the
first trusted proxy saw connecting): entries to its left were written by the client and prove
nothing. This is uvicorn's reading too, and `vetted serve` gives uvicorn the same list, so the
address is the same whether uvicorn or the application read the header.
"""

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import HTTPConnection

from app.config import get_settings

Networks = Sequence[IPv4Network | IPv6Network]
MAX_ADDRESS = 64  # what is kept of an address that is not an IP address


def _trusted(host: str, networks: Networks) -> bool:
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _host(entry: str) -> str:
    """An X-Forwarded-For entry without the port some proxies add (`1.2.3.4:5678`,
    `[2001:db8::1]:5678`), so that one client is one address whatever port it came from."""
    if entry.startswith("[") and "]" in entry:
        return entry[1 : entry.index("]")]
    if entry.count(":") == 1:
        return entry.split(":", 1)[0]
    return entry


def _forwarded_for(connection: HTTPConnection) -> list[str]:
    values = connection.headers.getlist("x-forwarded-for")
    entries = (entry.strip() for value in values for entry in value.split(","))
    return [_host(entry) for entry in entries if entry]


def forwarded_client(peer: str, forwarded: list[str], networks: Networks) -> str:
    """The client behind `peer`, given the X-Forwarded-For entries it sent (left to right)."""
    if not forwarded or not _trusted(peer, networks):
        return peer
    for entry in reversed(forwarded):
        if not _trusted(entry, networks):
            return entry
    return forwarded[0]  # every hop is trusted: the left-most is as far back as we can see


def client_address(connection: HTTPConnection) -> str:
    """Where the request comes from (see the module's docstring)."""
    peer = connection.client.host if connection.client else ""
    networks = get_settings().trusted_proxies
    found = forwarded_client(peer, _forwarded_for(connection), networks) if networks else peer
    return found[:MAX_ADDRESS]
