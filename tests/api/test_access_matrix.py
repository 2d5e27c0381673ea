"""Every operation of every service's OpenAPI, called with every role and with tokens limited by a
scope, answers the class the declared matrix expects: a role the route does not allow is a 403
(tests/unit/test_route_roles.py PINNED), a token limited to districts or a customer is a 403 on
a route that does not filter by them (SCOPED) and reaches no object it does not cover (a 404),
a token limited to named operations is a 403 on every other one. An operation with no rule fails.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.embedded import SERVICE_NAMES, create_app
from shared.auth import UNLIMITED, Role, Scope, TokenAuthority
from shared.settings import PlatformSettings
from tests.api.serving import served
from tests.support import SECRET, sqlite_url
from tests.unit.test_route_roles import EVERYONE, PINNED, SCOPED

AUTHORITY = TokenAuthority(SECRET)
# The one operation the operations-limited integration token names.
NAMED_OPERATION = ("create_payment", "payments POST /v1/payments")


# Every service's operations routes (shared/service.py): the probes and documents are open to
# any caller, the metrics to their readers.
OPEN = {"GET /healthz", "GET /readyz", "GET /asyncapi.json"}
OPERATIONS_ROUTES = dict.fromkeys(OPEN, EVERYONE) | {
    "GET /metrics": "ar_supervisor auditor integration"
}


def rule(service: str, method: str, template: str) -> str | None:
    """The roles the route allows, or None when it has no rule."""
    return PINNED.get(f"{service} {method} {template}") or OPERATIONS_ROUTES.get(
        f"{method} {template}"
    )


class Caller:
    def __init__(self, label: str, role: Role, scope: Scope = UNLIMITED) -> None:
        self.label, self.role, self.scope = label, role, scope
        self.token = AUTHORITY.mint(f"matrix-{label}", [role], scope=scope)


CALLERS = [
    *(Caller(role.value, role) for role in Role),
    Caller("sales-of-a-district", Role.SALES, Scope(districts=frozenset({"nowhere"}))),
    Caller("customer-portal", Role.AUDITOR, Scope(customer_id=uuid.uuid4())),
    Caller("named-operation", Role.INTEGRATION, Scope(operations=frozenset({NAMED_OPERATION[0]}))),
]


def expected(key: str, roles: str, caller: Caller) -> str:
    """`forbidden`, `not-found` (an object outside the scope) or `allowed` (anything else but a
    401, 403 or 5xx: the call got past access and was judged on its content)."""
    if key.split(" ", 1)[1] in OPEN:
        return "allowed"
    if caller.role.value not in roles.split():
        return "forbidden"
    if caller.scope.operations is not None and key != NAMED_OPERATION[1]:
        return "forbidden"
    if caller.scope.limits_customers:
        if key not in SCOPED:
            return "forbidden"
        # Every id the test sends is unknown, so inside any scope or not it is not found; a list
        # answers (empty) and a write is judged on its body.
        if "{" in key and key.startswith(tuple(f"{s} GET" for s in SERVICE_NAMES)):
            return "not-found"
    return "allowed"


def answer_class(status: int) -> str:
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not-found"
    if status == 401 or status >= 500:
        return f"broken ({status})"
    return "allowed"


PLACEHOLDERS = {"uuid": lambda: str(uuid.uuid4()), "date": lambda: "2026-11-23"}


def _path_value(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if schema.get("format") in PLACEHOLDERS:
        return PLACEHOLDERS[schema["format"]]()
    if parameter["name"] == "period":
        return "2026-11"
    return "X1"


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(method, template, concrete path) of every operation in the document."""
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            values = {
                p["name"]: _path_value(p)
                for p in operation.get("parameters", [])
                if p["in"] == "path"
            }
            yield method.upper(), template, template.format_map(values)


@pytest.fixture(scope="module")
def product_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("access-matrix")
    with pytest.MonkeyPatch.context() as env:
        for name in SERVICE_NAMES:
            env.setenv(f"AR_{name.upper()}_DATABASE_URL", sqlite_url(folder, name))
        app = create_app(PlatformSettings(auth_secret=SECRET, var_dir=folder))
    with served(app) as url:
        yield url


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_operation_answers_every_caller_as_the_matrix_says(
    product_url: str, service: str
) -> None:
    with httpx.Client(base_url=f"{product_url}/{service}", timeout=30) as client:
        spec = client.get("/openapi.json").json()
        unexpected: list[str] = []
        for method, template, path in operations(spec):
            key = f"{service} {method} {template}"
            roles = rule(service, method, template)
            assert roles is not None, f"{key} has no rule in tests/unit/test_route_roles.py"
            for caller in CALLERS:
                body = {} if method in {"POST", "PUT", "PATCH"} else None
                response = client.request(
                    method, path, json=body, headers={"Authorization": f"Bearer {caller.token}"}
                )
                want, got = expected(key, roles, caller), answer_class(response.status_code)
                if want != got and not (want == "allowed" and got == "not-found"):
                    unexpected.append(f"{key} as {caller.label}: {want}, got {got}")
    assert unexpected == []
