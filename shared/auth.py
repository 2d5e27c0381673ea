"""Bearer tokens (JWT, HS256) carrying roles; every route declares the roles it allows.

A token may also carry a scope (the `scope` claim): the districts a sales token sees, the one
customer a customer-portal token sees, the named operations an integration may call. A route that
filters by it says so (`require_roles(..., scoped=True)`); every other route refuses a token whose
scope limits the customers it sees, so a route nobody taught the scope is closed, not open.

A token lives at most `AR_AUTH_MAX_TOKEN_HOURS` (from `iat` to `exp`), and one whose id (`jti`)
is listed in `AR_AUTH_REVOKED_TOKEN_IDS` is refused: a leaked token is revoked by listing it.
`python -m shared.auth --role ar_coordinator --subject alice` mints a token for local use.
"""

import argparse
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.api.problems import Forbidden, Unauthorized
from shared.clock import Clock
from shared.settings import DEFAULT_MAX_TOKEN_HOURS, PlatformSettings, embedded_secret

ALGORITHM = "HS256"


class Role(StrEnum):
    AR_COORDINATOR = "ar_coordinator"
    AR_SUPERVISOR = "ar_supervisor"
    CREDIT_MANAGER = "credit_manager"
    SALES = "sales"
    AUDITOR = "auditor"
    INTEGRATION = "integration"


ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Scope:
    """What a token may reach; `None` is no limit."""

    districts: frozenset[str] | None = None
    customer_id: uuid.UUID | None = None
    # Route names (the endpoint function's, e.g. `record_payment`) the token may call.
    operations: frozenset[str] | None = None

    @property
    def limits_customers(self) -> bool:
        return self.districts is not None or self.customer_id is not None

    def admits(self, *, customer_id: uuid.UUID | None, district: str | None) -> bool:
        """Whether an object of this customer and district is within the scope; an unknown
        customer or district is outside any scope that limits it."""
        if self.customer_id is not None and customer_id != self.customer_id:
            return False
        return self.districts is None or district in self.districts

    def claim(self) -> dict[str, Any]:
        claim: dict[str, Any] = {}
        if self.districts is not None:
            claim["districts"] = sorted(self.districts)
        if self.customer_id is not None:
            claim["customer_id"] = str(self.customer_id)
        if self.operations is not None:
            claim["operations"] = sorted(self.operations)
        return claim

    @classmethod
    def from_claim(cls, claim: Any) -> "Scope":
        if not isinstance(claim, dict) or set(claim) - {"districts", "customer_id", "operations"}:
            raise ValueError("scope names districts, customer_id and operations only")
        districts, operations = claim.get("districts"), claim.get("operations")
        customer = claim.get("customer_id")
        for listed in (districts, operations):
            if listed is not None and not (
                isinstance(listed, list) and all(isinstance(x, str) for x in listed)
            ):
                raise ValueError("scope districts and operations are lists of names")
        return cls(
            districts=None if districts is None else frozenset(districts),
            customer_id=None if customer is None else uuid.UUID(str(customer)),
            operations=None if operations is None else frozenset(operations),
        )


UNLIMITED = Scope()


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    name: str | None = None
    # The organisation the caller acts for, when the token names one.
    tenant: str | None = None
    scope: Scope = UNLIMITED

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class TokenAuthority:
    secret: str
    issuer: str = "ar-platform"
    clock: Clock = field(default_factory=Clock, compare=False)
    max_lifetime: timedelta = timedelta(hours=DEFAULT_MAX_TOKEN_HOURS)
    revoked: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: PlatformSettings, secret: str) -> "TokenAuthority":
        return cls(
            secret,
            settings.token_issuer,
            max_lifetime=timedelta(hours=settings.auth_max_token_hours),
            revoked=frozenset(settings.auth_revoked_token_ids),
        )

    def mint(
        self,
        subject: str,
        roles: list[Role],
        *,
        name: str | None = None,
        ttl: timedelta = timedelta(hours=12),
        scope: Scope = UNLIMITED,
    ) -> str:
        if ttl > self.max_lifetime:
            hours = self.max_lifetime.total_seconds() / 3600
            raise ValueError(f"a token lives at most {hours:g} hours (AR_AUTH_MAX_TOKEN_HOURS)")
        now = self.clock.now()
        claims = {
            "sub": subject,
            "roles": [str(role) for role in roles],
            "name": name or subject,
            "iss": self.issuer,
            "iat": now,
            "exp": now + ttl,
            "jti": str(uuid.uuid4()),
        }
        if scope != UNLIMITED:
            claims["scope"] = scope.claim()
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        # A caller sends the same token with every request until it expires: its signature and
        # claims are checked once, its expiry every time.
        principal, token_id, expires_epoch_seconds = _verified(
            token, self.secret, self.issuer, self.max_lifetime.total_seconds()
        )
        if expires_epoch_seconds <= self.clock.epoch_seconds():
            raise Unauthorized("the token has expired")
        if token_id in self.revoked:
            raise Unauthorized("the token has been revoked")
        return principal


@lru_cache(maxsize=1024)
def _verified(
    token: str, secret: str, issuer: str, max_lifetime_seconds: float
) -> tuple[Principal, str, float]:
    """The token's caller, id and expiry (a timestamp: seconds since the epoch, as JWT's `exp`
    and `Clock.epoch_seconds` count them); raises for a bad token, which is therefore never
    cached."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["sub", "exp", "iat", "iss", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from exc
    try:
        roles = frozenset(Role(role) for role in claims.get("roles", []))
    except ValueError as exc:
        raise Unauthorized(f"the token names an unknown role: {exc}") from exc
    try:
        scope = Scope.from_claim(claims["scope"]) if "scope" in claims else UNLIMITED
    except ValueError as exc:
        raise Unauthorized(f"the token's scope is not valid: {exc}") from exc
    if float(claims["exp"]) - float(claims["iat"]) > max_lifetime_seconds:
        raise Unauthorized(
            f"the token lives longer than the {max_lifetime_seconds / 3600:g} hours allowed"
        )
    principal = Principal(
        subject=claims["sub"],
        roles=roles,
        name=claims.get("name"),
        tenant=claims.get("tenant"),
        scope=scope,
    )
    return principal, str(claims["jti"]), float(claims["exp"])


_bearer = HTTPBearer(auto_error=False, description="A JWT minted by the platform's token authority")


def require_roles(*allowed: Role, scoped: bool = False) -> Any:
    """A dependency giving the caller, after checking they hold one of `allowed` and that their
    token's operations name the route. `scoped` says the route filters what it reads and writes
    by the caller's districts and customer; without it a token so limited is refused."""

    async def principal(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("send `Authorization: Bearer <token>`")
        authority: TokenAuthority = request.app.state.token_authority
        caller = authority.verify(credentials.credentials)
        if not caller.has(*allowed):
            raise Forbidden(
                f"this needs one of the roles {', '.join(sorted(allowed))}",
                allowed_roles=sorted(allowed),
            )
        operations = caller.scope.operations
        if operations is not None and request.scope["route"].name not in operations:
            raise Forbidden("the token's scope does not name this operation")
        if caller.scope.limits_customers and not scoped:
            raise Forbidden("this route is not open to a token limited to districts or a customer")
        request.state.principal = caller
        return caller

    # Read by the tests that pin every route's roles and scoping.
    principal.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
    principal.scoped = scoped  # type: ignore[attr-defined]
    return Depends(principal)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a bearer token for local use")
    parser.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    parser.add_argument("--subject", default="local-user")
    parser.add_argument("--hours", type=int, default=12)
    parser.add_argument("--district", action="append", help="limit the token to these districts")
    parser.add_argument("--customer", type=uuid.UUID, help="limit the token to this customer")
    parser.add_argument("--operation", action="append", help="limit it to these route names")
    args = parser.parse_args()
    scope = Scope(
        districts=None if args.district is None else frozenset(args.district),
        customer_id=args.customer,
        operations=None if args.operation is None else frozenset(args.operation),
    )
    settings = PlatformSettings()
    # Without AR_AUTH_SECRET this is the embedded mode's secret, kept under var/.
    secret = settings.require_auth_secret() if settings.auth_secret else embedded_secret(settings)
    authority = TokenAuthority.from_settings(settings, secret)
    roles = [Role(r) for r in args.role]
    try:
        print(authority.mint(args.subject, roles, ttl=timedelta(hours=args.hours), scope=scope))
    except ValueError as exc:  # longer than AR_AUTH_MAX_TOKEN_HOURS allows
        parser.error(str(exc))


if __name__ == "__main__":
    main()
