"""Schemathesis against the app's own OpenAPI schema, in process (ASGI), with a token.

Every operation gets up to EXAMPLES generated requests, valid and invalid (schemathesis mixes
both), against a database holding the demo vendors; then the stateful run follows the links
schemathesis infers between operations (create a vendor → read it, log evidence on it,
retract that, …), each scenario on a freshly emptied database.

Every check runs: no 5xx, every status code, content type, header and body as the schema
documents them, 401 without credentials, a 405 with a complete Allow for undeclared methods,
what was created can be read back (stateful run), every schema-valid request accepted and
every schema-violating one refused. One allowance, by operation: logging evidence, granting a
waiver, correcting a record, asking a vendor for evidence and accepting a submission may answer
422 to a schema-valid body, for rules JSON Schema cannot state — across fields (a period that
starts before it ends, a waiver of at most 12 months from its grant), against today (nothing
received tomorrow, nothing due yesterday, no link beyond 90 days), or against the stored record
(a scope judged only on a SOC 2 report or an ISO certificate; a waiver's document one of its
vendor's; an accepted submission's corrected fields, valid for its kind only). The token is
ours (`with-security-parameters` off), so schemathesis does not send requests without it
believing they carry one.
"""

import pytest
import schemathesis
from conftest import TEST_TODAY
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from reliability.support import COUNTS, OPERATIONS, load_demo_data, make_token, pdf_bytes, wipe
from schemathesis.config import SchemathesisConfig

from app import config
from app.deps import get_today
from app.main import create_app

EXAMPLES = 100
STATEFUL_SCENARIOS = 60
STATEFUL_STEPS = 12
QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's default
BEYOND_THE_SCHEMA = (
    ("POST", "/api/v1/vendors/{vendor_id}/evidence"),
    ("POST", "/api/v1/vendors/{vendor_id}/waivers"),
    ("PATCH", "/api/v1/evidence/{evidence_id}"),
    ("POST", "/api/v1/vendors/{vendor_id}/requests"),
    ("POST", "/api/v1/submissions/{submission_id}/accept"),
)
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"with-security-parameters": False},
        "operations": [
            {
                "include-path": path,
                "include-method": method,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 422]}},
            }
            for method, path in BEYOND_THE_SCHEMA
        ],
    }
)
# The upload's media type is application/pdf, judged by the bytes: a valid one is a real PDF.
schemathesis.openapi.media_type("application/pdf", st.just(pdf_bytes()))

APP = create_app()
APP.dependency_overrides[get_today] = lambda: TEST_TODAY
with pytest.MonkeyPatch.context() as patch:  # loading it runs the app's start-up: no daily
    patch.setenv("VETTED_DAILY_REFRESH", "false")  # pass then, on a ./vetted.db of its own
    config.get_settings.cache_clear()
    SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
config.get_settings.cache_clear()
pytestmark = pytest.mark.probe_finding(15)


@pytest.fixture
def auth(database_url, tmp_path, monkeypatch) -> dict:
    """An admin token's header, on a database holding the demo vendors; uploaded PDFs (real
    ones: they are accepted) stored under the test's own directory."""
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(tmp_path / "uploads"))
    config.get_settings.cache_clear()
    load_demo_data()
    return {"Authorization": f"Bearer {make_token('admin')}"}


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=QUIET, derandomize=True)
def test_every_operation(case, auth):
    OPERATIONS[case.operation.label] += 1
    case.call_and_validate(headers=auth)


def test_linked_operations(database_url, auth):
    class Linked(SCHEMA.as_state_machine()):
        def setup(self):
            wipe(database_url)
            load_demo_data()

        def get_call_kwargs(self, case):
            COUNTS["fuzz: calls in linked (stateful) scenarios"] += 1
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, transport_kwargs=kwargs)

    Linked.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,  # the same cases every CI run: a failure is never a fluke
            suppress_health_check=QUIET,
        )
    )
