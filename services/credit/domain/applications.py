"""The credit application workflow and who may decide it.

submitted → under_review → approved | declined. A credit manager approves limits up to a
configurable amount, an AR supervisor above it; nobody reviews or decides a request they
submitted.
"""

from decimal import Decimal
from enum import StrEnum

from shared.api.problems import Conflict, Forbidden
from shared.auth import Principal, Role


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    DECLINED = "declined"


# Where each status may go next.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.SUBMITTED: frozenset({ApplicationStatus.UNDER_REVIEW}),
    ApplicationStatus.UNDER_REVIEW: frozenset(
        {ApplicationStatus.APPROVED, ApplicationStatus.DECLINED}
    ),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.DECLINED: frozenset(),
}


class WrongStatus(Conflict):
    slug, title = "wrong-application-status", "The application is not in a status that allows this"


class OverAuthority(Forbidden):
    slug, title = "over-approval-authority", "The amount is above your approval authority"


class OwnRequest(Forbidden):
    slug, title = "own-request", "You may not review or decide a request you submitted"


def check_transition(current: str, target: ApplicationStatus) -> None:
    if target not in TRANSITIONS[ApplicationStatus(current)]:
        raise WrongStatus(f"an application that is {current} cannot become {target}")


def approving_role(limit: Decimal, manager_approval_limit: Decimal) -> Role:
    """The least senior role that may approve `limit`."""
    return Role.CREDIT_MANAGER if limit <= manager_approval_limit else Role.AR_SUPERVISOR


def check_approval_authority(
    approver: Principal, limit: Decimal, manager_approval_limit: Decimal
) -> None:
    """A supervisor may approve any amount; a credit manager up to `manager_approval_limit`."""
    if approver.has(Role.AR_SUPERVISOR):
        return
    if approving_role(limit, manager_approval_limit) is Role.AR_SUPERVISOR or not approver.has(
        Role.CREDIT_MANAGER
    ):
        raise OverAuthority(
            f"a limit of {limit} needs an AR supervisor's approval (a credit manager may "
            f"approve up to {manager_approval_limit})",
            required_role=Role.AR_SUPERVISOR.value,
        )


def check_not_own_request(actor: Principal, submitted_by: str, *, to: str = "decide") -> None:
    """Separation of duties: whoever submitted an application neither reviews nor decides it."""
    if actor.subject == submitted_by:
        raise OwnRequest(f"the application was submitted by you; another person must {to} it")
