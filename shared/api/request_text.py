"""What no request may carry, refused once for every route before the endpoint runs.

PostgreSQL cannot store a NUL character in text, so a NUL anywhere in a request's path, query
or JSON body is a 422 here, at the edge, instead of a database error after half the work. A
JSON body nested deeper than any document of the API is refused before anything walks it.
"""

import json
from typing import Any

from fastapi import Request

from shared.api.problems import FieldError, Problem

NUL = "\x00"
# Far deeper than any request body of the API, and far below Python's recursion limit.
MAX_JSON_DEPTH = 64


class TextNotStorable(Problem):
    status, slug, title = 422, "validation-error", "The request is not valid"


class BodyTooDeep(Problem):
    status, slug, title = 400, "malformed-body", "The request body is malformed"


def _nul_error(field: str) -> FieldError:
    return FieldError(field=field, message="must not contain a NUL character", code="nul_char")


def refuse_nul_in_url(request: Request) -> None:
    if NUL in request.url.path:
        raise TextNotStorable("the path contains a NUL character", errors=[_nul_error("path")])
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise TextNotStorable(
                "a query parameter contains a NUL character",
                errors=[_nul_error(f"query.{name.replace(NUL, '')}")],
            )


async def checked_json_body(request: Request) -> Any:
    """The request's JSON body (None when it has none or it is not JSON: the endpoint then
    answers as it does for any malformed body), refused when too deep or holding a NUL."""
    if "json" not in request.headers.get("content-type", ""):
        return None
    body = await request.body()
    if not body:
        return None
    try:
        document = json.loads(body)
    except RecursionError as exc:
        raise BodyTooDeep(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError:
        return None
    _check_value(document)
    return document


def _check_value(document: Any) -> None:
    # Iterative: a body within the parser's limit may still be too deep to walk recursively.
    pending: list[tuple[Any, str, int]] = [(document, "body", 0)]
    while pending:
        value, where, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise BodyTooDeep(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, str):
            if NUL in value:
                raise TextNotStorable(
                    "a text field contains a NUL character", errors=[_nul_error(where)]
                )
        elif isinstance(value, dict):
            for name, item in value.items():
                if NUL in name:
                    raise TextNotStorable(
                        "a field name contains a NUL character", errors=[_nul_error(where)]
                    )
                pending.append((item, f"{where}.{name}", depth + 1))
        elif isinstance(value, list):
            pending.extend(
                (item, f"{where}.{index}", depth + 1) for index, item in enumerate(value)
            )
