"""The default worker count follows the CPUs the process may use (issue 18), not a floor of 4."""

from __future__ import annotations

import os

from ontosync.config import default_workers
from ontosync.cpus import cgroup_quota, usable_cpus


def test_quota_rounds_up_to_whole_cpus(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert cgroup_quota(tmp_path) == 2


def test_no_quota_when_max_or_absent(tmp_path):
    assert cgroup_quota(tmp_path) is None
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert cgroup_quota(tmp_path) is None


def test_default_workers_is_the_affinity_mask_not_four():
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
        assert usable_cpus() == 1
        assert default_workers() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert default_workers() == min(8, len(allowed), cgroup_quota() or len(allowed))
