"""RFC 9457 problem details for every error, with a stable `type` per kind of problem."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import context

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ar-platform:problem:"


class FieldError(BaseModel):
    field: str = Field(examples=["body.legal_name"])
    message: str
    code: str


class ProblemDetails(BaseModel):
    type: str = Field(examples=[TYPE_PREFIX + "validation-error"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


class Problem(Exception):
    """Raise to answer with a problem; subclasses fix the status, type and title."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        errors: list[FieldError] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status or self.status
        self.slug = slug or self.slug
        self.title = title or self.title
        self.errors = errors
        self.extensions = extensions


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class NotKnownYet(Conflict):
    """Something another service made (an invoice just issued) whose event has not reached this
    service yet: the same request succeeds once it has, so the answer says when to retry."""

    slug, title = "not-known-yet", "Not known here yet"

    def __init__(self, detail: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class BusinessRuleViolation(Problem):
    status, slug, title = 422, "business-rule-violation", "The request breaks a business rule"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    *,
    request: Request,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = ProblemDetails(
        type=TYPE_PREFIX + slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=context.request_id.get(),
        errors=errors,
        **extensions,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        headers = getattr(exc, "headers", None) or headers
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            request=request,
            errors=exc.errors,
            headers=headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=_field_name(err["loc"]), message=err["msg"], code=err["type"])
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            f"{len(errors)} field(s) failed validation",
            request=request,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            exc.status_code,
            slug,
            str(exc.detail),
            None,
            request=request,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def on_integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness race lost to a concurrent request: the client may retry.
        log.warning("integrity error: %s", exc.orig)
        return problem_response(
            409,
            "conflict",
            "Conflict",
            "the request conflicts with a concurrent change; retry it",
            request=request,
        )

    # Not an `exception_handler(Exception)`: Starlette re-raises after such a handler answers,
    # and the server then drops the client's keep-alive connection.
    app.add_middleware(UnexpectedErrorMiddleware)


class UnexpectedErrorMiddleware:
    """Answers an error no handler knows with a complete problem 500, and swallows it, so the
    server keeps the connection open for the client's next request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch_start)
        except Exception:
            if started:  # half a response is out: only closing the connection can end it
                raise
            log.exception("unhandled error")
            response = problem_response(
                500,
                "internal-error",
                "Internal error",
                "an unexpected error occurred; quote the request id when reporting it",
                request=Request(scope),
            )
            await response(scope, receive, send)


def problem_doc(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry for a problem, e.g. `{404: problem_doc("No such invoice")}`."""
    return {
        "description": description,
        "model": ProblemDetails,
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
        },
    }


# Declared on every router so the OpenAPI document shows what each route can answer.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem_doc("Malformed request, e.g. a cursor this API did not issue"),
    401: problem_doc("Missing or invalid bearer token"),
    403: problem_doc("Your role may not do this"),
    404: problem_doc("No such resource, or not one you may see"),
    409: problem_doc("Conflicts with a concurrent change; retry"),
    422: problem_doc("Invalid request, or it breaks a business rule"),
}
