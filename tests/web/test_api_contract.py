"""schemathesis against the API's own OpenAPI document: no server error, and every
response (status, content type, body) as the document says. The contract does not depend on
the backend, so it runs once, on SQLite."""

from __future__ import annotations

import pytest

from tests.web.test_api import key  # noqa: F401 - the fixture


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(app, web_ctx, key):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/api/schema/openapi.json", app)
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case):  # noqa: ANN001, ANN202
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
            response = case.call()
            assert response.status_code < 500, response.text
            # Schema-valid answers may still be refused (the form's own rules are not in the
            # JSON schema), so only: no server error, and every response as documented.
            case.validate_response(response, checks=[
                not_a_server_error, checks.status_code_conformance,
                checks.content_type_conformance, checks.response_schema_conformance])

        try:
            check()
        except AssertionError as error:  # noqa: PERF203
            failures.append(f"{op.method.upper()} {op.path}: {error}")
        except Exception as error:  # schemathesis' own check failures
            failures.append(f"{op.method.upper()} {op.path}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)
