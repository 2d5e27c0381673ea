"""The customers API: routes only. They check input and roles, call commands, shape the answer."""

import uuid
from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Header,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from sqlmodel import col, select

from services.customers import commands
from services.customers.domain import DocumentKind, snapshot
from services.customers.models import Customer, CustomerDocument
from services.customers.repository import get_customer, get_document, search_customers
from services.customers.schemas import (
    AddressIn,
    AddressPatch,
    CertificateIn,
    ContactIn,
    ContactPatch,
    CustomerCreate,
    CustomerOut,
    CustomerPatch,
    DocumentOut,
    HistoryEntry,
    OnboardingUpdate,
)
from shared.api.files import FILE_CONTENT, TOO_LARGE, file_response, read_upload
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import PROBLEM_RESPONSES, Problem, problem_doc
from shared.api.transaction import SessionDep, TransactionalRoute
from shared.auth import ALL_ROLES, Principal, Role, require_roles
from shared.events.customers import (
    Address,
    Contact,
    CustomerStatus,
    ExemptionCertificate,
    OnboardingItem,
)
from shared.tables import AuditEntry

router = APIRouter(
    prefix="/v1/customers",
    tags=["customers"],
    route_class=TransactionalRoute,
    responses=PROBLEM_RESPONSES,
)

Reader = Annotated[Principal, require_roles(*ALL_ROLES)]
# The sales system registers and updates customers too; credit keeps terms current.
Editor = Annotated[
    Principal,
    require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR, Role.CREDIT_MANAGER, Role.INTEGRATION),
]
TaxEditor = Annotated[Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR)]
Reason = Annotated[str | None, Query(max_length=500, description="Why, for the audit trail")]


class PreconditionFailed(Problem):
    status, slug, title = 412, "precondition-failed", "The customer changed since you read it"


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut(
        **snapshot(customer).model_dump(),
        external_ref=customer.external_ref,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def _etag(customer: Customer) -> str:
    return f'"{customer.revision}"'


async def _document_limit(request: Request) -> int:  # async: no worker-thread hop
    return request.app.state.service.settings.max_document_bytes


DocumentLimit = Annotated[int, Depends(_document_limit)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a customer")
async def create_customer(
    data: CustomerCreate, session: SessionDep, actor: Editor, response: Response
) -> CustomerOut:
    """Register a customer. Publishes `CustomerRegistered`. Retry safely with `Idempotency-Key`."""
    customer = await commands.register_customer(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{customer.id}"
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.get("", summary="Search customers")
async def list_customers(
    session: SessionDep,
    _: Reader,
    page: PageQuery,
    status_: Annotated[CustomerStatus | None, Query(alias="status")] = None,
    business_district: str | None = None,
    sales_rep: str | None = None,
    credit_hold: bool | None = None,
    currency: str | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Name, DBA, account number, tax id or external ref contains",
        ),
    ] = None,
) -> Page[CustomerOut]:
    """Customers matching every filter, in account-number order, a page at a time."""
    statement = search_customers(
        status=status_,
        business_district=business_district,
        sales_rep=sales_rep,
        credit_hold=credit_hold,
        currency=currency,
        q=q,
    )
    return await page_of(
        session, statement, order_by=[col(Customer.account_number)], params=page, item=customer_out
    )


@router.get("/{customer_id}", summary="Read a customer")
async def read_customer(
    customer_id: uuid.UUID, session: SessionDep, _: Reader, response: Response
) -> CustomerOut:
    """The customer with addresses, contacts, certificates, onboarding. `ETag`: its revision."""
    customer = await get_customer(session, customer_id)
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.patch(
    "/{customer_id}",
    summary="Change a customer",
    responses={412: problem_doc("The customer changed since the ETag you sent")},
)
async def patch_customer(
    customer_id: uuid.UUID,
    patch: CustomerPatch,
    session: SessionDep,
    actor: Editor,
    response: Response,
    if_match: Annotated[
        str | None, Header(description="The ETag you read; refused if it changed since")
    ] = None,
) -> CustomerOut:
    """Change the fields sent; publishes `CustomerUpdated`. on_hold/inactive needs a `reason`."""
    customer = await get_customer(session, customer_id, lock=True)
    if if_match is not None and if_match.strip() != _etag(customer):
        raise PreconditionFailed(f"the customer is at revision {customer.revision}; read it again")
    customer = await commands.update_customer(session, customer, patch, actor)
    response.headers["ETag"] = _etag(customer)
    return customer_out(customer)


@router.post("/{customer_id}/addresses", status_code=201, summary="Add an address")
async def create_address(
    customer_id: uuid.UUID, data: AddressIn, session: SessionDep, actor: Editor
) -> Address:
    """Add a bill-to, ship-to or job-site address."""
    customer = await get_customer(session, customer_id, lock=True)
    address = await commands.add_address(session, customer, data, actor)
    return Address.model_validate(address, from_attributes=True)


@router.patch("/{customer_id}/addresses/{address_id}", summary="Change an address")
async def patch_address(
    customer_id: uuid.UUID,
    address_id: uuid.UUID,
    data: AddressPatch,
    session: SessionDep,
    actor: Editor,
) -> Address:
    customer = await get_customer(session, customer_id, lock=True)
    address = await commands.update_address(
        session,
        customer,
        address_id,
        data.model_dump(exclude_unset=True, exclude={"reason"}),
        data.reason,
        actor,
    )
    return Address.model_validate(address, from_attributes=True)


@router.delete(
    "/{customer_id}/addresses/{address_id}", status_code=204, summary="Remove an address"
)
async def delete_address(
    customer_id: uuid.UUID,
    address_id: uuid.UUID,
    session: SessionDep,
    actor: Editor,
    reason: Reason = None,
) -> None:
    customer = await get_customer(session, customer_id, lock=True)
    await commands.remove_address(session, customer, address_id, reason, actor)


@router.post("/{customer_id}/contacts", status_code=201, summary="Add a billing contact")
async def create_contact(
    customer_id: uuid.UUID, data: ContactIn, session: SessionDep, actor: Editor
) -> Contact:
    customer = await get_customer(session, customer_id, lock=True)
    contact = await commands.add_contact(session, customer, data, actor)
    return Contact.model_validate(contact, from_attributes=True)


@router.patch("/{customer_id}/contacts/{contact_id}", summary="Change a contact")
async def patch_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    data: ContactPatch,
    session: SessionDep,
    actor: Editor,
) -> Contact:
    customer = await get_customer(session, customer_id, lock=True)
    contact = await commands.update_contact(
        session,
        customer,
        contact_id,
        data.model_dump(exclude_unset=True, exclude={"reason"}),
        data.reason,
        actor,
    )
    return Contact.model_validate(contact, from_attributes=True)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=204, summary="Remove a contact")
async def delete_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    session: SessionDep,
    actor: Editor,
    reason: Reason = None,
) -> None:
    customer = await get_customer(session, customer_id, lock=True)
    await commands.remove_contact(session, customer, contact_id, reason, actor)


@router.get("/{customer_id}/exemption-certificates", summary="List tax-exemption certificates")
async def list_certificates(
    customer_id: uuid.UUID, session: SessionDep, _: Reader
) -> list[ExemptionCertificate]:
    return snapshot(await get_customer(session, customer_id)).exemption_certificates


@router.post(
    "/{customer_id}/exemption-certificates",
    status_code=201,
    summary="Record a tax-exemption certificate",
)
async def create_certificate(
    customer_id: uuid.UUID, data: CertificateIn, session: SessionDep, actor: TaxEditor
) -> ExemptionCertificate:
    """Record a certificate (jurisdiction, number, expiry); PUT .../document attaches the file."""
    customer = await get_customer(session, customer_id, lock=True)
    certificate = await commands.add_certificate(session, customer, data, actor)
    return next(c for c in snapshot(customer).exemption_certificates if c.id == certificate.id)


@router.delete(
    "/{customer_id}/exemption-certificates/{certificate_id}",
    status_code=204,
    summary="Withdraw a certificate",
)
async def delete_certificate(
    customer_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: SessionDep,
    actor: TaxEditor,
    reason: Reason = None,
) -> None:
    customer = await get_customer(session, customer_id, lock=True)
    await commands.remove_certificate(session, customer, certificate_id, reason, actor)


@router.put(
    "/{customer_id}/exemption-certificates/{certificate_id}/document",
    summary="Attach the certificate's document",
    responses=TOO_LARGE,
)
async def put_certificate_document(
    customer_id: uuid.UUID,
    certificate_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    actor: TaxEditor,
    limit: DocumentLimit,
) -> DocumentOut:
    """Upload the signed certificate (PDF, PNG or JPEG)."""
    customer = await get_customer(session, customer_id, lock=True)
    content = await read_upload(file, limit)
    document = await commands.attach_certificate_document(
        session, customer, certificate_id, file.filename or "certificate", content, actor
    )
    return DocumentOut.model_validate(document, from_attributes=True)


@router.post(
    "/{customer_id}/documents",
    status_code=201,
    summary="Upload a customer document",
    responses=TOO_LARGE,
)
async def upload_document(
    customer_id: uuid.UUID,
    kind: Annotated[DocumentKind, Form()],
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    actor: Editor,
    limit: DocumentLimit,
) -> DocumentOut:
    """Keep a W-9, credit application, certificate or signed terms; it ticks the onboarding item."""
    customer = await get_customer(session, customer_id, lock=True)
    content = await read_upload(file, limit)
    document = await commands.store_document(
        session,
        customer,
        kind=kind,
        filename=file.filename or kind.value,
        content=content,
        actor=actor,
    )
    return DocumentOut.model_validate(document, from_attributes=True)


@router.get("/{customer_id}/documents", summary="List a customer's documents")
async def list_documents(
    customer_id: uuid.UUID, session: SessionDep, _: Reader
) -> list[DocumentOut]:
    await get_customer(session, customer_id)
    documents = await session.exec(
        select(CustomerDocument)
        .where(CustomerDocument.customer_id == customer_id)
        .order_by(col(CustomerDocument.uploaded_at))
    )
    return [DocumentOut.model_validate(d, from_attributes=True) for d in documents]


@router.get(
    "/{customer_id}/documents/{document_id}",
    summary="Download a document",
    response_class=Response,
    responses=FILE_CONTENT,
)
async def download_document(
    customer_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, _: Reader
) -> Response:
    document = await get_document(session, customer_id, document_id)
    return file_response(document.content, document.content_type, document.filename)


@router.get("/{customer_id}/onboarding", summary="The onboarding checklist")
async def read_onboarding(
    customer_id: uuid.UUID, session: SessionDep, _: Reader
) -> list[OnboardingItem]:
    return snapshot(await get_customer(session, customer_id)).onboarding


@router.put("/{customer_id}/onboarding/{item}", summary="Tick or waive an onboarding item")
async def put_onboarding_item(
    customer_id: uuid.UUID,
    item: str,
    data: OnboardingUpdate,
    session: SessionDep,
    actor: Annotated[
        Principal, require_roles(Role.AR_COORDINATOR, Role.AR_SUPERVISOR, Role.CREDIT_MANAGER)
    ],
) -> OnboardingItem:
    """Mark an item received or waived (waiving needs a note)."""
    customer = await get_customer(session, customer_id, lock=True)
    record = await commands.set_onboarding_item(session, customer, item, data, actor)
    return OnboardingItem(item=record.item, status=record.status, updated_at=record.updated_at)


@router.get("/{customer_id}/history", summary="Who changed what, when and why")
async def read_history(
    customer_id: uuid.UUID, session: SessionDep, _: Reader
) -> list[HistoryEntry]:
    await get_customer(session, customer_id)
    entries = await session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "customer", AuditEntry.entity_id == str(customer_id))
        .order_by(col(AuditEntry.at))
    )
    return [HistoryEntry.model_validate(e, from_attributes=True) for e in entries]
