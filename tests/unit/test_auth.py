import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine

from services.embedded import local_token
from shared.api.problems import Unauthorized
from shared.auth import UNLIMITED, Role, Scope, TokenAuthority
from shared.clock import Clock
from tests.support import SECRET


def test_a_minted_token_verifies_to_its_roles() -> None:
    authority = TokenAuthority(SECRET)
    caller = authority.verify(authority.mint("alice", [Role.AR_COORDINATOR, Role.AUDITOR]))
    assert caller.subject == "alice"
    assert caller.has(Role.AUDITOR) and not caller.has(Role.AR_SUPERVISOR)


@pytest.mark.parametrize(
    "token",
    [
        TokenAuthority("another-secret-" + "y" * 40).mint("mallory", [Role.AR_SUPERVISOR]),
        TokenAuthority(SECRET).mint("bob", [Role.SALES], ttl=timedelta(seconds=-1)),
        TokenAuthority(SECRET, issuer="someone-else").mint("eve", [Role.SALES]),
        jwt.encode({"sub": "x", "roles": ["ar_supervisor"]}, SECRET, algorithm="HS256"),
        "not-a-token",
    ],
    ids=["wrong-secret", "expired", "wrong-issuer", "no-expiry", "garbage"],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        TokenAuthority(SECRET).verify(token)


def test_an_unknown_role_is_refused() -> None:
    now = int(Clock().epoch_seconds())
    claims = {"sub": "x", "roles": ["god"], "iss": "ar-platform", "jti": "t-1"}
    token = jwt.encode(claims | {"iat": now, "exp": now + 60}, SECRET, "HS256")
    with pytest.raises(Unauthorized):
        TokenAuthority(SECRET).verify(token)


def test_a_token_verified_before_is_refused_once_it_expires(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    authority = TokenAuthority(SECRET)
    token = authority.mint("carol", [Role.SALES], ttl=timedelta(seconds=2))
    assert authority.verify(token).subject == "carol"  # checked in full, then remembered
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    # The clock moves past the expiry instead of the test waiting for it.
    time_machine.move_to(datetime.fromtimestamp(expires_at + 1, UTC), tick=False)
    with pytest.raises(Unauthorized, match="expired"):
        authority.verify(token)


def test_the_local_start_up_token_carries_one_role() -> None:
    authority = TokenAuthority("s" * 32)
    caller = authority.verify(local_token(authority))
    assert caller.roles == {Role.AR_COORDINATOR}


def test_a_tokens_scope_survives_the_round_trip_and_a_bad_one_is_refused() -> None:
    authority = TokenAuthority(SECRET)
    customer = uuid.uuid4()
    scope = Scope(districts=frozenset({"permian"}), customer_id=customer)
    caller = authority.verify(authority.mint("portal", [Role.AUDITOR], scope=scope))
    assert caller.scope == scope and caller.scope.limits_customers
    assert caller.scope.admits(customer_id=customer, district="permian")
    assert not caller.scope.admits(customer_id=customer, district="bakken")
    assert not caller.scope.admits(customer_id=uuid.uuid4(), district="permian")
    assert authority.verify(authority.mint("staff", [Role.SALES])).scope == UNLIMITED

    now = int(Clock().epoch_seconds())
    for bad in ({"districts": "permian"}, {"customer_id": "nobody"}, {"tenant": "x"}):
        claims = {"sub": "x", "roles": ["sales"], "iss": "ar-platform", "jti": "j", "scope": bad}
        token = jwt.encode(claims | {"iat": now, "exp": now + 60}, SECRET, "HS256")
        with pytest.raises(Unauthorized):
            authority.verify(token)
