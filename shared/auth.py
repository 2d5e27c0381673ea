"""Bearer tokens (JWT, HS256) carrying roles; every route declares the roles it allows.

`python -m shared.auth --role ar_coordinator --subject alice` mints a token for local use.
"""

import argparse
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
from shared.settings import PlatformSettings, embedded_secret

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
class Principal:
    subject: str
    roles: frozenset[Role]
    name: str | None = None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class TokenAuthority:
    secret: str
    issuer: str = "ar-platform"
    clock: Clock = field(default_factory=Clock, compare=False)

    def mint(
        self,
        subject: str,
        roles: list[Role],
        *,
        name: str | None = None,
        ttl: timedelta = timedelta(hours=12),
    ) -> str:
        now = self.clock.now()
        claims = {
            "sub": subject,
            "roles": [str(role) for role in roles],
            "name": name or subject,
            "iss": self.issuer,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        # A caller sends the same token with every request until it expires: its signature and
        # claims are checked once, its expiry every time.
        principal, expires_epoch_seconds = _verified(token, self.secret, self.issuer)
        if expires_epoch_seconds <= self.clock.epoch_seconds():
            raise Unauthorized("the token has expired")
        return principal


@lru_cache(maxsize=1024)
def _verified(token: str, secret: str, issuer: str) -> tuple[Principal, float]:
    """The token's caller and expiry (a timestamp: seconds since the epoch, as JWT's `exp` and
    `Clock.epoch_seconds` counts them); raises for a bad token, which is therefore never cached."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from exc
    try:
        roles = frozenset(Role(role) for role in claims.get("roles", []))
    except ValueError as exc:
        raise Unauthorized(f"the token names an unknown role: {exc}") from exc
    principal = Principal(subject=claims["sub"], roles=roles, name=claims.get("name"))
    return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False, description="A JWT minted by the platform's token authority")


def require_roles(*allowed: Role) -> Any:
    """A dependency giving the caller, after checking they hold one of `allowed`."""

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
        request.state.principal = caller
        return caller

    # Read by the test that pins every route's roles.
    principal.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
    return Depends(principal)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a bearer token for local use")
    parser.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    parser.add_argument("--subject", default="local-user")
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args()
    settings = PlatformSettings()
    # Without AR_AUTH_SECRET this is the embedded mode's secret, kept under var/.
    secret = settings.require_auth_secret() if settings.auth_secret else embedded_secret(settings)
    authority = TokenAuthority(secret, settings.token_issuer)
    roles = [Role(r) for r in args.role]
    print(authority.mint(args.subject, roles, ttl=timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
