"""Who may call a route: one named dependency per set of roles, in the AR team's words.

A route declares its caller as one of these, e.g. `actor: ARStaff`; the name says who may do it,
so the same set of roles is called the same everywhere. A route that filters what it reads and
writes by the caller's scope (districts, a customer) declares the `Scoped...` one, e.g.
`actor: ScopedAnyRole`, and passes `actor.scope` to its queries; any other route refuses a token
so limited.
"""

from typing import Annotated

from shared.auth import ALL_ROLES, Principal, Role, require_roles

_AR = (Role.AR_COORDINATOR, Role.AR_SUPERVISOR)
_STAFF = (*_AR, Role.CREDIT_MANAGER)
_SYSTEMS = (Role.SALES, Role.INTEGRATION)

# Reads open to every role.
AnyRole = Annotated[Principal, require_roles(*ALL_ROLES)]
# The AR coordinators and their supervisor: billing, cash application, collections work.
ARStaff = Annotated[Principal, require_roles(*_AR)]
# The AR supervisor alone: approvals above a coordinator's authority, periods.
ARSupervisor = Annotated[Principal, require_roles(Role.AR_SUPERVISOR)]
# AR staff and the auditors: management reports.
ARStaffAndAuditors = Annotated[Principal, require_roles(*_AR, Role.AUDITOR)]
# AR staff and the bank and lockbox integrations: recording receipts.
ARStaffAndIntegration = Annotated[Principal, require_roles(*_AR, Role.INTEGRATION)]
# AR staff and the sales/ops systems: sending billable tickets.
ARStaffAndSystems = Annotated[Principal, require_roles(*_AR, *_SYSTEMS)]
# AR and credit staff: customer onboarding.
Staff = Annotated[Principal, require_roles(*_STAFF)]
# AR and credit staff and the auditors: credit evidence (applications, reports, scores).
StaffAndAuditors = Annotated[Principal, require_roles(*_STAFF, Role.AUDITOR)]
# AR and credit staff and the integration: customer master data.
StaffAndIntegration = Annotated[Principal, require_roles(*_STAFF, Role.INTEGRATION)]
# AR and credit staff and the sales/ops systems: submitting credit applications.
StaffAndSystems = Annotated[Principal, require_roles(*_STAFF, *_SYSTEMS)]
# Credit decisions: the credit manager, and the AR supervisor above the manager's authority.
CreditDecider = Annotated[Principal, require_roles(Role.CREDIT_MANAGER, Role.AR_SUPERVISOR)]
# Those who decide credit and the sales/ops systems: asking for an order's authorization.
CreditDeciderAndSystems = Annotated[
    Principal, require_roles(Role.CREDIT_MANAGER, Role.AR_SUPERVISOR, *_SYSTEMS)
]
# The service's operating figures (/metrics): the supervisor, the auditors, and a scraper
# holding an integration token.
MetricsReaders = Annotated[
    Principal, require_roles(Role.AR_SUPERVISOR, Role.AUDITOR, Role.INTEGRATION)
]


# The same callers on routes that filter by the caller's scope (shared/scoping.py): a sales token
# limited to its districts, a customer-portal token to its customer.
ScopedAnyRole = Annotated[Principal, require_roles(*ALL_ROLES, scoped=True)]
ScopedStaffAndAuditors = Annotated[Principal, require_roles(*_STAFF, Role.AUDITOR, scoped=True)]
ScopedARStaff = Annotated[Principal, require_roles(*_AR, scoped=True)]
ScopedARSupervisor = Annotated[Principal, require_roles(Role.AR_SUPERVISOR, scoped=True)]
ScopedARStaffAndIntegration = Annotated[
    Principal, require_roles(*_AR, Role.INTEGRATION, scoped=True)
]
ScopedARStaffAndSystems = Annotated[Principal, require_roles(*_AR, *_SYSTEMS, scoped=True)]
ScopedCreditDeciderAndSystems = Annotated[
    Principal, require_roles(Role.CREDIT_MANAGER, Role.AR_SUPERVISOR, *_SYSTEMS, scoped=True)
]
