"""Issue 14, item 6: wrong passwords lock out the address they come from, not the account.

Failed logins count per (account, client address) and per client address; the client address
is the peer's, or, when the peer is one of VETTED_TRUSTED_PROXIES, the right-most
X-Forwarded-For entry that is not a trusted proxy."""

import pytest
from fastapi.testclient import TestClient
from reliability.support import COUNTS, finding_closed
from web.support import PASSWORD, csrf_of, make_user

from app import config
from app.auth import throttle

ATTACKER, OWNER, PROXY = "203.0.113.66", "198.51.100.7", "10.0.0.2"
CLIENT_LIMIT = getattr(throttle, "MAX_CLIENT_FAILURES", 50)


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


def _attempt(client: TestClient, email: str, password: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_of(client.get("/login", headers=headers).text)
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/login", data=data, headers=headers, follow_redirects=False)


@pytest.fixture
def trust(monkeypatch):
    """trust("10.0.0.0/8, …"): set VETTED_TRUSTED_PROXIES for this test."""

    def set_proxies(value: str) -> None:
        monkeypatch.setenv("VETTED_TRUSTED_PROXIES", value)
        config.get_settings.cache_clear()

    yield set_proxies
    config.get_settings.cache_clear()


def test_an_attacker_locks_only_their_own_address(app):
    make_user("victim@example.com", "analyst")
    with _client(app, ATTACKER) as attacker, _client(app, OWNER) as owner:
        for _ in range(throttle.MAX_FAILURES):
            assert _attempt(attacker, "victim@example.com", "guess").status_code == 401
        assert _attempt(owner, "victim@example.com", PASSWORD).status_code == 303
        locked = _attempt(attacker, "victim@example.com", PASSWORD)
        assert locked.status_code == 429 and "from your address" in locked.text
    COUNTS["sessions: throttled login attempts"] += throttle.MAX_FAILURES + 1
    finding_closed("6 an attacker locks only themselves")


def test_one_address_trying_many_accounts_is_throttled_as_a_whole(app):
    make_user("someone@example.com", "analyst")
    with _client(app, ATTACKER) as attacker, _client(app, OWNER) as owner:
        for n in range(CLIENT_LIMIT):
            assert _attempt(attacker, f"user{n}@example.com", "guess").status_code == 401
        sprayed = _attempt(attacker, "someone@example.com", PASSWORD)
        assert sprayed.status_code == 429 and "Too many failed logins from your address" in (
            sprayed.text
        )
        assert _attempt(owner, "someone@example.com", PASSWORD).status_code == 303
    finding_closed("6 an attacker locks only themselves")


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(app, trust):
    make_user("victim@example.com", "analyst")
    with _client(app, ATTACKER) as attacker:
        for n in range(throttle.MAX_FAILURES):  # a new made-up address each time
            forged = f"192.0.2.{n}"
            assert _attempt(attacker, "victim@example.com", "guess", forged).status_code == 401
        assert _attempt(attacker, "victim@example.com", PASSWORD, "192.0.2.99").status_code == 429
    trust(f"{PROXY}, 10.1.0.0/16")
    with _client(app, PROXY) as proxy:
        through = "192.0.2.1, 10.1.2.3"  # a forged entry, then the client the proxies saw
        for _ in range(throttle.MAX_FAILURES):
            assert _attempt(proxy, "victim@example.com", "guess", through).status_code == 401
        forged_left = f"203.0.113.1, {through}"  # what the client writes to the left is noise
        assert _attempt(proxy, "victim@example.com", PASSWORD, forged_left).status_code == 429
        owner = f"{OWNER}, 10.1.9.9"
        assert _attempt(proxy, "victim@example.com", PASSWORD, owner).status_code == 303
    assert throttle.failures("victim@example.com", "192.0.2.1") == throttle.MAX_FAILURES
    finding_closed("6 an attacker locks only themselves")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("198.51.100.7", "203.0.113.1", "198.51.100.7"),  # the peer is no proxy of ours
        ("10.0.0.2", "203.0.113.1", "203.0.113.1"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.1, 10.0.0.9", "203.0.113.1"),  # two trusted hops
        ("10.0.0.2", "10.0.0.7, 10.0.0.9", "10.0.0.7"),  # trusted all the way: the left-most
        ("10.0.0.2", "203.0.113.1:5123", "203.0.113.1"),  # a port some proxies add
        ("10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_the_client_address_behind_proxies(app, trust, peer, forwarded, client):
    from starlette.requests import Request

    from app.auth.client import client_address

    trust("10.0.0.0/24")
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    request = Request({"type": "http", "headers": headers, "client": (peer, 1)})
    assert client_address(request) == client


def test_ipv6_clients_count_by_their_64_network():
    key = throttle.client_key
    assert key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("::ffff:203.0.113.9") == key("203.0.113.9") == "203.0.113.9"
