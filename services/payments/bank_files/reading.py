"""Which reader a bank file needs, told by the caller or recognised from its first bytes."""

from enum import StrEnum

from services.payments.bank_files.bai2_reader import read_bai2
from services.payments.bank_files.camt_reader import read_camt
from services.payments.bank_files.lockbox_reader import read_lockbox
from services.payments.bank_files.model import MalformedFile, ParsedFile
from services.payments.bank_files.nacha_reader import read_nacha
from services.payments.settings import PaymentRules


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


def read_bank_file(
    content: bytes, file_format: BankFileFormat | None, rules: PaymentRules
) -> ParsedFile:
    file_format = file_format or recognise(content)
    if file_format == BankFileFormat.CAMT:
        return read_camt(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"the file is not UTF-8 text: {exc}") from exc
    if file_format == BankFileFormat.BAI2:
        return read_bai2(text)
    if file_format == BankFileFormat.NACHA:
        return read_nacha(text, rules.bank_currency)
    return read_lockbox(text, rules.lockbox, rules.bank_currency)
