"""The rule catalogue and the health probes."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.api_common import UNAUTHORIZED
from app.auth.deps import Reader
from app.db import SessionDep
from app.rules.catalog import RULES, Rule, explain
from app.rules.policy import Policy
from app.status.service import current_policy

router = APIRouter(tags=["rules"])
health = APIRouter(tags=["health"])


class RuleRead(BaseModel):
    """One rule: its code, its severity for a relied-on document, and what it means."""

    code: str
    severity: str
    title: str
    explanation: str  # with the thresholds of the policy in force
    ask: str  # what to ask the vendor for


def _rule_read(rule: Rule, policy: Policy) -> RuleRead:
    explanation, ask = explain(rule, policy)
    return RuleRead(
        code=rule.code, severity=rule.severity, title=rule.title, explanation=explanation, ask=ask
    )


@router.get("/rules", response_model=list[RuleRead], responses=UNAUTHORIZED)
def list_rules(_: Reader) -> list[RuleRead]:
    """The rule catalogue, explained with the thresholds of the policy in force."""
    policy = current_policy()
    return [_rule_read(r, policy) for r in RULES]


@health.get("/healthz")
def healthz() -> dict:
    """Liveness: the process answers."""
    return {"status": "ok"}


@health.get("/readyz", responses={503: {"description": "The database does not answer"}})
def readyz(session: SessionDep):
    """Readiness: the database answers a query."""
    try:
        session.exec(text("SELECT 1")).one()
    except Exception as exc:  # any driver error means "not ready", never a 500
        return JSONResponse(
            {"status": "unavailable", "detail": type(exc).__name__}, status_code=503
        )
    return {"status": "ok"}
