"""E-mail about evidence requests: the link, and reminders (SPEC §11)."""

from dataclasses import dataclass

from app.config import get_settings


@dataclass(frozen=True)
class EmailOutcome:
    """What became of an e-mail: sent, not configured (no SMTP host), or refused (why)."""

    sent: bool
    configured: bool
    error: str | None = None


def send_request_email(*, request_id: int) -> EmailOutcome:
    """E-mail the request's link to its contact, once (claimed in the database). Opens its own
    transactions: call it after the request is committed."""
    if not get_settings().smtp_host:
        return EmailOutcome(sent=False, configured=False)
    raise NotImplementedError("issue 16: the request e-mail")
