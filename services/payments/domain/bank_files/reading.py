"""Which reader a bank file needs, told by the caller or recognised from its first bytes."""

import hashlib
import re
from enum import StrEnum

from services.payments.domain.bank_files.bai2_reader import read_bai2
from services.payments.domain.bank_files.camt_reader import read_camt
from services.payments.domain.bank_files.lockbox_reader import read_lockbox
from services.payments.domain.bank_files.model import LockboxLayout, MalformedFile, ParsedFile
from services.payments.domain.bank_files.nacha_reader import read_nacha


class BankFileFormat(StrEnum):
    BAI2 = "bai2"
    CAMT = "camt"
    NACHA = "nacha"
    LOCKBOX = "lockbox"


def recognise(content: bytes) -> BankFileFormat:
    head = content.lstrip(b"\xef\xbb\xbf \r\n\t")[:200]
    if head.startswith(b"01,"):
        return BankFileFormat.BAI2
    if head.startswith(b"<"):
        return BankFileFormat.CAMT
    if head.startswith(b"101"):
        return BankFileFormat.NACHA
    return BankFileFormat.LOCKBOX


_CAMT_CREATION_TIME = re.compile(rb"<([\w.-]+:)?CreDtTm>[^<]*</([\w.-]+:)?CreDtTm>")


def content_key(content: bytes, file_format: BankFileFormat) -> str:
    """The hash of what the file says, without the times it was made at: a bank that resends a
    file stamps it anew (BAI2 01 creation date and time, NACHA file header creation date and
    time, camt `CreDtTm`), and line ends or trailing blanks may change on the way."""
    if file_format == BankFileFormat.CAMT:
        content = _CAMT_CREATION_TIME.sub(b"", content)
    lines = [line.rstrip() for line in content.removeprefix(b"\xef\xbb\xbf").splitlines()]
    lines = [line for line in lines if line]
    if lines and file_format == BankFileFormat.BAI2:
        fields = lines[0].split(b",")
        lines[0] = b",".join(fields[:3] + [b""] * len(fields[3:5]) + fields[5:])
    if lines and file_format == BankFileFormat.NACHA:
        lines[0] = lines[0][:23] + b" " * 10 + lines[0][33:]  # positions 24-33
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def read_bank_file(
    content: bytes,
    file_format: BankFileFormat | None,
    lockbox: LockboxLayout,
    bank_currency: str,
) -> ParsedFile:
    """The file read by its format's reader. An error a reader let slip (a number it could not
    convert, say) refuses the file with a 422 like any unreadable file, never a 500."""
    file_format = file_format or recognise(content)
    try:
        parsed = _read(content, file_format, lockbox, bank_currency)
    except (ArithmeticError, ValueError, LookupError) as exc:
        reason = "a number in it is not a number" if isinstance(exc, ArithmeticError) else exc
        raise MalformedFile(f"the {file_format} file cannot be read: {reason}") from exc
    parsed.content_key = content_key(content, file_format)
    return parsed


def _read(
    content: bytes, file_format: BankFileFormat, lockbox: LockboxLayout, bank_currency: str
) -> ParsedFile:
    if file_format == BankFileFormat.CAMT:
        return read_camt(content)
    if file_format == BankFileFormat.NACHA:
        return read_nacha(content, bank_currency)  # fixed width: bytes, not UTF-8 text
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"the file is not UTF-8 text: {exc}") from exc
    if file_format == BankFileFormat.BAI2:
        return read_bai2(text, bank_currency)
    return read_lockbox(text, lockbox, bank_currency)
