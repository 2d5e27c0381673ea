"""Which reader an advice file needs: an X12 interchange begins with ISA, anything else is read as
an email."""

from enum import StrEnum

from services.payments.domain.remittance.email_reader import read_email
from services.payments.domain.remittance.model import MalformedRemittance, ReadAdvices
from services.payments.domain.remittance.x12_820 import read_820


class AdviceFormat(StrEnum):
    EMAIL = "email"
    X12_820 = "x12_820"


CONTENT_TYPES = {AdviceFormat.EMAIL: "message/rfc822", AdviceFormat.X12_820: "application/edi-x12"}


def advice_format(content: bytes) -> AdviceFormat:
    head = content.lstrip(b"\xef\xbb\xbf \r\n\t")[:3]
    return AdviceFormat.X12_820 if head == b"ISA" else AdviceFormat.EMAIL


def read_advice_file(content: bytes) -> ReadAdvices:
    """The file read by its format's reader. An error a reader let slip refuses the file (422)
    like any unreadable one, never a 500."""
    file_format = advice_format(content)
    try:
        if file_format == AdviceFormat.X12_820:
            return read_820(content)
        advice = read_email(content)
        return ReadAdvices([advice], advice.problems, advice.parts)
    except (ArithmeticError, ValueError, LookupError, TypeError) as exc:
        raise MalformedRemittance(f"the {file_format} cannot be read: {exc}") from exc
