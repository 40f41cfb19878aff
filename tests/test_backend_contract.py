"""The reference backend against docs/backend-openapi.yaml: schemathesis generates requests from the document
(valid ones and broken ones), sends them to the real server on a loopback port and checks every answer (status
listed, schema, content type, no server error, broken requests refused)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from kiosk.server.serve import BackendServer, build

OPENAPI = Path(__file__).resolve().parents[1] / "docs" / "backend-openapi.yaml"
TOKEN = "contract-token"
# A valid request may still be refused by the state it meets (409, 410: a join token offered twice, a draw played
# twice) or be unprocessable (422: an Idempotency-Key reused with another body, a phone number no plan has).
CONFIG = SchemathesisConfig.from_dict({
    "auth": {"openapi": {"bearer": {"bearer": TOKEN}}},  # schemathesis also tries without, expecting 401
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "404", "409", "410", "422"]}},
})
schema = schemathesis.openapi.from_path(OPENAPI, config=CONFIG)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[BackendServer]:
    running = BackendServer(build(str(tmp_path_factory.mktemp("backend") / "backend.db"), TOKEN, demo=True).app,
                            "127.0.0.1", 0)
    running.start()
    yield running
    running.stop()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_server_keeps_the_contract(case, server):
    case.call_and_validate(base_url=server.url)


def test_server_keeps_the_contract_across_calls(server):
    """Sequences along the document's links (register then read the profile or draw, issue a draw then play it,
    offer a join token then resolve it), every answer checked as above. Schemathesis picks the sequences: the
    join offer and its resolution come up most; valid registrations are rare among generated ones."""

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": server.url}

    Workflow.run(settings=settings(max_examples=30, stateful_step_count=6, deadline=None,
                                   suppress_health_check=list(HealthCheck)))
