"""A token's lifetime is bounded and a token can be revoked before it expires."""

from datetime import timedelta

import jwt
import pytest

from shared.api.problems import Unauthorized
from shared.auth import Role, TokenAuthority
from shared.clock import Clock
from shared.settings import PlatformSettings
from tests.support import SECRET


def _token_living(hours: float) -> str:
    now = int(Clock().epoch_seconds())
    claims = {"sub": "x", "roles": ["sales"], "iss": "ar-platform", "jti": "t-9"}
    return jwt.encode(claims | {"iat": now, "exp": now + int(hours * 3600)}, SECRET, "HS256")


def test_a_token_living_longer_than_the_maximum_is_refused() -> None:
    authority = TokenAuthority(SECRET, max_lifetime=timedelta(hours=24))
    assert authority.verify(_token_living(24)).subject == "x"
    with pytest.raises(Unauthorized, match="longer than"):
        authority.verify(_token_living(100 * 365 * 24))


def test_the_maximum_lifetime_is_a_setting_and_minting_beyond_it_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AR_AUTH_MAX_TOKEN_HOURS", "2")
    authority = TokenAuthority.from_settings(PlatformSettings(), SECRET)
    with pytest.raises(Unauthorized):
        authority.verify(_token_living(3))
    with pytest.raises(ValueError):
        authority.mint("alice", [Role.SALES], ttl=timedelta(hours=3))


def test_a_token_without_an_issue_time_or_id_is_refused() -> None:
    now = int(Clock().epoch_seconds())
    claims = {"sub": "x", "roles": ["sales"], "iss": "ar-platform", "exp": now + 60}
    for missing in ("iat", "jti"):
        full = claims | {"iat": now, "jti": "t-1"}
        token = jwt.encode({k: v for k, v in full.items() if k != missing}, SECRET, "HS256")
        with pytest.raises(Unauthorized):
            TokenAuthority(SECRET).verify(token)


def test_a_revoked_token_is_refused_and_its_siblings_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    minted = TokenAuthority(SECRET)
    leaked, other = minted.mint("bob", [Role.SALES]), minted.mint("bob", [Role.SALES])
    leaked_id = jwt.decode(leaked, options={"verify_signature": False})["jti"]
    monkeypatch.setenv("AR_AUTH_REVOKED_TOKEN_IDS", f'["{leaked_id}"]')
    authority = TokenAuthority.from_settings(PlatformSettings(), SECRET)
    with pytest.raises(Unauthorized, match="revoked"):
        authority.verify(leaked)
    assert authority.verify(other).subject == "bob"
