"""Bounded subset-sum: which few open invoices add up to exactly the amount paid."""

from collections import defaultdict
from itertools import combinations

MAX_SIZE = 4


def combinations_summing_to(
    values: list[int], target: int, *, max_size: int = MAX_SIZE, limit: int = 2
) -> list[tuple[int, ...]]:
    """Index tuples of 2 to `max_size` (at most 4) distinct values adding up to `target`, smallest
    combinations first; stops once `limit` are found (two already mean "ambiguous").

    Amounts are integers (minor units). Pairs are looked up by value and quadruples through a
    table of pair sums, so the search is quadratic in the number of candidates, never exponential.
    """
    if max_size > MAX_SIZE:
        raise ValueError(f"combinations of more than {MAX_SIZE} invoices are not searched")
    found: list[tuple[int, ...]] = []
    by_value: dict[int, list[int]] = defaultdict(list)
    for index, value in enumerate(values):
        by_value[value].append(index)

    def complete(prefix: tuple[int, ...], rest: int) -> bool:
        for last in by_value.get(rest, ()):
            if last > prefix[-1]:
                found.append((*prefix, last))
                if len(found) >= limit:
                    return True
        return False

    for i in range(len(values)):
        if complete((i,), target - values[i]):
            return found
    if max_size >= 3:
        for i, j in combinations(range(len(values)), 2):
            if complete((i, j), target - values[i] - values[j]):
                return found
    if max_size >= 4:
        pair_sums: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i, j in combinations(range(len(values)), 2):
            pair_sums[values[i] + values[j]].append((i, j))
        for total, pairs in pair_sums.items():
            for i, j in pairs:
                for k, m in pair_sums.get(target - total, ()):
                    if k > j:
                        found.append((i, j, k, m))
                        if len(found) >= limit:
                            return found
    return found
