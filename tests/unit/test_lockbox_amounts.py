from services.payments.domain.bank_files.lockbox_reader import read_lockbox
from services.payments.domain.bank_files.model import LockboxLayout

HEADER = "batch,check_number,check_amount,deposit_date\n"


def test_a_check_amount_that_is_not_a_number_is_a_line_problem_not_a_receipt() -> None:
    for amount in ("NaN", "sNaN", "Infinity", "-inf"):
        parsed = read_lockbox(f"{HEADER}1,2,{amount},2026-11-05\n", LockboxLayout(), "USD")
        assert parsed.receipts == []
        assert [p.line for p in parsed.problems] == [2]
