"""Schemathesis against the app's own OpenAPI schema, in process (ASGI), with a token.

Every operation gets up to EXAMPLES generated requests, valid and invalid (schemathesis mixes
both), against a database holding the demo vendors; then the stateful run follows the links
schemathesis infers between operations (create a vendor → read it, log evidence on it,
retract that, …), each scenario on a freshly emptied database.

Checked: no 5xx, every status code, content type, header and body as the schema documents
them, 401 without credentials, a 405 with a complete Allow for undeclared methods, and (in the
stateful run) that what was created can be read back. Not checked: `positive_data_acceptance`
(a schema-valid request may still break a rule that needs the database — an unknown id, a
report whose period ends after it was issued — and is then rightly refused with 404, 409 or
422) and `negative_data_rejection` (FastAPI ignores unknown query parameters, and an empty
optional field is read as "not given", both by design).
"""

import pytest
import schemathesis
from conftest import TEST_TODAY
from hypothesis import HealthCheck, settings
from reliability.support import COUNTS, OPERATIONS, load_demo_data, make_token, wipe
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from app.deps import get_today
from app.main import create_app

EXAMPLES = 100
STATEFUL_SCENARIOS = 60
STATEFUL_STEPS = 12
EXCLUDED = [positive_data_acceptance, negative_data_rejection]
QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]

APP = create_app()
APP.dependency_overrides[get_today] = lambda: TEST_TODAY
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def auth(database_url) -> dict:
    """An admin token's header, on a database holding the demo vendors."""
    load_demo_data()
    return {"Authorization": f"Bearer {make_token('admin')}"}


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=QUIET, derandomize=True)
def test_every_operation(case, auth):
    OPERATIONS[case.operation.label] += 1
    case.call_and_validate(headers=auth, excluded_checks=EXCLUDED)


def test_linked_operations(database_url, auth):
    class Linked(SCHEMA.as_state_machine()):
        def setup(self):
            wipe(database_url)
            load_demo_data()

        def get_call_kwargs(self, case):
            COUNTS["fuzz: calls in linked (stateful) scenarios"] += 1
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, excluded_checks=EXCLUDED, transport_kwargs=kwargs)

    Linked.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,  # the same cases every CI run: a failure is never a fluke
            suppress_health_check=QUIET,
        )
    )
