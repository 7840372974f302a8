"""Domain exceptions: services raise these; one handler per front end maps them."""


class DomainError(Exception):
    """Base of every error a client can cause."""

    status_code = 400

    def __init__(self, detail: object) -> None:
        super().__init__(str(detail))
        self.detail = detail


class NotFound(DomainError):
    """The id names nothing (or nothing this vendor owns)."""

    status_code = 404


class Conflict(DomainError):
    """A duplicate, or a stale version."""

    status_code = 409


class Gone(DomainError):
    """A portal link that was cancelled, expired or replaced: it opens nothing any more."""

    status_code = 410


class TooMany(DomainError):
    """Too many posts in the window: try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, detail: object, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Invalid(DomainError):
    """Input that passed the schema but breaks a rule that needs the database to check.

    `where` is where the field was sent, as FastAPI's own 422s say it: body, query or header.
    """

    status_code = 422

    def __init__(self, field: str, message: str, *, where: str = "body") -> None:
        super().__init__([{"loc": [where, field], "msg": message, "type": "value_error"}])
        self.field = field
        self.message = message


class Unauthorized(DomainError):
    """No credentials, or credentials that are wrong, revoked or expired."""

    status_code = 401


class Forbidden(DomainError):
    """Credentials are fine but the role is too low."""

    status_code = 403
