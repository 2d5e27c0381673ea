"""Numbers taken a batch at a time continue the series with no gap."""

from shared.numbering import next_in_series
from shared.service import Service


async def test_a_block_of_numbers_is_consecutive_and_the_series_continues_after_it(
    invoicing_service: Service,
) -> None:
    async with invoicing_service.db.transaction() as session:
        first_block = await next_in_series(session, "main:INV:2030", 3)
        single = await next_in_series(session, "main:INV:2030")
        second_block = await next_in_series(session, "main:INV:2030", 2)
        other_series = await next_in_series(session, "main:CM:2030")
    assert (first_block, single, second_block, other_series) == (1, 4, 5, 1)
