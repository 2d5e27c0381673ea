"""Files clients upload (time sheets, W-9s, certificates...) and download: one set of rules.

Only PDF, PNG and JPEG are kept, recognised by their first bytes rather than by what the client
claims; a file over the service's limit is a 413; an empty one a 422.
"""

from typing import Any
from urllib.parse import quote

from fastapi import Response, UploadFile

from shared.api.problems import BusinessRuleViolation, Problem, problem_doc

FILE_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}

# OpenAPI `responses` entries for routes that take or give a file.
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: problem_doc("The file is larger than the configured limit")
}
FILE_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {content_type: {} for content_type in FILE_SIGNATURES.values()}}
}


class DocumentTooLarge(Problem):
    status, slug, title = 413, "document-too-large", "Document too large"


class UnsupportedDocument(BusinessRuleViolation):
    slug = "unsupported-document-type"


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The uploaded bytes, refusing an empty file or one over `limit` bytes (read no further)."""
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise DocumentTooLarge(f"documents may be at most {limit} bytes")
    if not content:
        raise Problem(
            "the file is empty", status=422, slug="empty-document", title="Empty document"
        )
    return content


def content_type_of(content: bytes) -> str:
    """The file's type from its first bytes; only PDF, PNG and JPEG are accepted."""
    for signature, content_type in FILE_SIGNATURES.items():
        if content.startswith(signature):
            return content_type
    raise UnsupportedDocument("only PDF, PNG and JPEG files are accepted")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The header naming the file (RFC 6266): an ASCII `filename` for old clients and the exact
    name as UTF-8 in `filename*` (RFC 5987); a header can carry only Latin-1, and `报告.pdf`
    written as is would make the download fail."""
    fallback = "".join(
        char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, content_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=content_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )
