"""The local Kafka's cluster id: one in 64 random ids starts with a dash, which the storage
tool took for an option, so the broker failed to start now and then (a fresh clone's whole
Kafka suite errored on it)."""

import base64

from deploy.local_infra import new_cluster_id


def test_cluster_ids_are_16_random_bytes_that_never_start_with_a_dash() -> None:
    ids = [new_cluster_id() for _ in range(2000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
