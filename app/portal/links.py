"""Portal links (SPEC §11): `{BASE_URL}/portal/{id}.{mac}`.

The mac is an HMAC-SHA256, under the secret key, of the request's id and a random nonce kept
with the request: 256 bits nobody can guess, nothing stored opens the link, and the same link
can be written again for a reminder. Rotating the nonce replaces the link; the retired nonces
are kept so that an old link answers 410, not 404. Every check does the same work whether the
id exists or not, so a 404 and a 410 take the same time.
"""

import base64
import hashlib
import hmac
import re
import secrets
from enum import Enum

from app.config import get_settings
from app.models import EvidenceRequest

PURPOSE = b"vetted.portal-link"
CSRF_PURPOSE = b"vetted.portal-csrf"
TOKEN = re.compile(r"^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})$")
_ABSENT_NONCE = "0" * 32  # what an unknown request is checked against: same work, no match


class LinkState(Enum):
    """What a token is to the request its id names."""

    CURRENT = "current"
    RETIRED = "retired"  # replaced by a newer link: 410
    NONE = "none"  # a forgery or an unknown id: 404


def new_nonce() -> str:
    """A fresh nonce: a new link."""
    return secrets.token_hex(16)


def _mac(purpose: bytes, request_id: int, nonce: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    message = b"%s:%d:%s" % (purpose, request_id, nonce.encode())
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_for(request: EvidenceRequest) -> str:
    """The token of the request's current link."""
    return f"{request.id}.{_mac(PURPOSE, request.id, request.link_nonce)}"


def portal_url(request: EvidenceRequest) -> str:
    """The link the vendor's contact opens."""
    return f"{get_settings().base_url.rstrip('/')}/portal/{token_for(request)}"


def request_id_of(token: str) -> int | None:
    """The request id a well-formed token names; None for anything else."""
    match = TOKEN.match(token)
    return int(match.group(1)) if match else None


def link_state(token: str, request: EvidenceRequest | None) -> LinkState:
    """Whether `token` is the request's current link, a retired one, or nothing (the same
    comparisons are made when `request` is None)."""
    match = TOKEN.match(token)
    mac = match.group(2) if match else ""
    request_id = request.id if request is not None else 0
    current = request.link_nonce if request is not None else _ABSENT_NONCE
    retired = list(request.retired_nonces) if request is not None else []
    is_current = hmac.compare_digest(mac, _mac(PURPOSE, request_id, current))
    is_retired = False
    for nonce in retired:
        is_retired |= hmac.compare_digest(mac, _mac(PURPOSE, request_id, nonce))
    if request is None:
        return LinkState.NONE
    if is_current:
        return LinkState.CURRENT
    return LinkState.RETIRED if is_retired else LinkState.NONE


def csrf_token(request: EvidenceRequest) -> str:
    """The portal forms' CSRF token: bound to the link (a rotated link's forms are refused)."""
    return _mac(CSRF_PURPOSE, request.id, request.link_nonce)


def csrf_ok(request: EvidenceRequest, token: object) -> bool:
    """Whether a posted `csrf_token` is this link's."""
    return isinstance(token, str) and hmac.compare_digest(token, csrf_token(request))


REDACTED = "/portal/[link]"
_IN_TEXT = re.compile(r"/portal/[^/\s?\"']+")


def redact(text: str) -> str:
    """`text` with every portal token replaced: for log lines."""
    return _IN_TEXT.sub(REDACTED, text)
