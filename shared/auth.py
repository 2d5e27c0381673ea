"""Bearer tokens (JWT, HS256) carrying roles; every route declares the roles it allows.

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
class Principal:
    subject: str
    roles: frozenset[Role]
    name: str | None = None
    # The organisation the caller acts for, when the token names one.
    tenant: str | None = None

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
    if float(claims["exp"]) - float(claims["iat"]) > max_lifetime_seconds:
        raise Unauthorized(
            f"the token lives longer than the {max_lifetime_seconds / 3600:g} hours allowed"
        )
    principal = Principal(
        subject=claims["sub"], roles=roles, name=claims.get("name"), tenant=claims.get("tenant")
    )
    return principal, str(claims["jti"]), float(claims["exp"])


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
    authority = TokenAuthority.from_settings(settings, secret)
    roles = [Role(r) for r in args.role]
    try:
        print(authority.mint(args.subject, roles, ttl=timedelta(hours=args.hours)))
    except ValueError as exc:  # longer than AR_AUTH_MAX_TOKEN_HOURS allows
        parser.error(str(exc))


if __name__ == "__main__":
    main()
