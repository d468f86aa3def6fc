"""How the suite is spread over pytest-xdist's workers under the README's `-n 3 --dist loadfile`.

`loadfile` gives each test module to one worker whole, so a module-scoped fixture (a corpus sync,
a fake GitHub tree, the hostile tree) is built once. Two refinements, both about the end of the
run, where one worker used to finish a long module alone while the others idled:

- the modules in PER_TEST share no fixture between their tests (none module-, class- or
  package-scoped: a test there that uses one fails, saying so), so each of their tests is a unit
  of its own and they run on every worker at once (test_incremental alone was over 100 s);
- units start heaviest first (longest processing time first): the modules in WEIGHTS by their
  measured weight, then the rest, most tests first. xdist's own order (most tests first) started
  the heaviest modules, one or a few long tests each, last. In a PER_TEST module its first
  PostgreSQL case starts first (it may make pg_corpus_template) and its other PostgreSQL cases
  come last, so the other workers do not start by waiting for that sync.

Only the order and the split change: every test runs, with the same fixtures. Session fixtures
are shared by the workers where they cost (`shared_once`, tests/conftest.py). Without xdist
(`pytest tests/test_x.py`) nothing here applies; with `--dist` other than loadfile, only the order.
(`--dist loadgroup` cannot do this: pytest-xdist 3.8's group marks no longer rename the tests under
pytest 9, so every test was its own unit.)
"""

from __future__ import annotations

import os

import pytest

# Seconds per module: the summed wall time of its tests and fixtures (setup, call, teardown), one run
# of the README's command on integ17 (2,373 tests; junit `duration_report=total`), CI's configuration
# (PostgreSQL, OAK, W3C data), on this 2-core machine with at most one other session's work. Only
# the start order depends on them; a module missing here (under 1.5 s) starts after these, most
# tests first. Weighing every module over 1.5 s (not only those over 10 s at three times the
# seconds) starts the modules that mostly wait (a lock held 5-7 s, a client timeout, a stalled
# parse: test_busy_new_database, test_database_replaced, test_database_arguments) among the first,
# not among the last, where one of them kept a worker busy for up to 7 s after the others were done.
# h76 re-measured the modules it changed (the OAK modules, which share one OAK process now; the busy
# tests' shorter waits; test_incremental's smaller shared-declaration tree): their old weight times
# the ratio of their summed time after to before, in alternated runs on the same machine. h95: the
# modules that waited in PyGithub's pace or in a retry's backoff (docs/testing.md), their old weight
# less the seconds slept (recorded per test); test_fetch_db, test_action_round6, test_retry_policy
# fell under 1.5 s. h100: test_github_source, test_github_sync and test_database_replaced, their old
# weight less the seconds no longer waited (a rate limit's reset, a stalled parse).
WEIGHTS = {
    "tests/test_incremental.py": 85.0,
    "tests/test_postgres_server.py": 20.7,
    "tests/test_github_source.py": 10.8,
    "tests/test_sync.py": 14.3,
    "tests/test_github_sync.py": 10.0,
    "tests/test_postgres_sync.py": 12.8,
    "tests/test_sync_lock.py": 9.0,
    "tests/test_rdf.py": 8.9,
    "tests/test_hostile.py": 8.5,
    "tests/test_postgres_round4.py": 7.2,
    "tests/test_busy_new_database.py": 7.2,
    "tests/test_github_source_round3.py": 7.1,
    "tests/test_postgres_corpus.py": 7.0,
    "tests/test_interruptions.py": 6.2,
    "tests/test_handover.py": 5.9,
    "tests/test_postgres_round5.py": 5.4,
    "tests/test_postgres_restricted.py": 5.4,
    "tests/test_migrate.py": 5.3,
    "tests/test_corpus_dump.py": 5.3,
    "tests/test_search_both.py": 5.0,
    "tests/test_bulk_statements.py": 5.0,
    "tests/test_pr_comment.py": 4.9,
    "tests/test_postgres_round6.py": 4.8,
    "tests/test_fresh_change_log.py": 4.6,
    "tests/test_postgres_many_sources.py": 4.6,
    "tests/test_database_replaced.py": 2.5,
    "tests/test_action_round4.py": 4.3,
    "tests/test_review_round2.py": 4.3,
    "tests/test_logseq.py": 4.3,
    "tests/test_worker_queue.py": 4.3,
    "tests/test_fuzz.py": 4.1,
    "tests/test_changelog.py": 4.0,
    "tests/test_stat_cache.py": 3.9,
    "tests/test_review_round3.py": 3.9,
    "tests/test_incremental_series.py": 3.8,
    "tests/test_semsql.py": 3.5,
    "tests/test_migrations_both.py": 3.4,
    "tests/test_database_arguments.py": 3.3,
    "tests/test_postgres_changelog.py": 3.3,
    "tests/test_code_shape.py": 3.3,
    "tests/test_action_round5.py": 3.1,
    "tests/test_hostile_environment.py": 3.1,
    "tests/test_bounded.py": 2.9,
    "tests/test_sync_inputs.py": 2.8,
    "tests/test_ofn.py": 2.7,
    "tests/test_action_comment_owner.py": 2.5,
    "tests/test_action_malformed_answers.py": 2.5,
    "tests/test_github_source_round2.py": 2.5,
    "tests/test_postgres_refusals.py": 2.5,
    "tests/test_pr_comment_failed.py": 2.4,
    "tests/test_upgrade_hostile.py": 2.4,
    "tests/test_logseq_properties.py": 2.4,
    "tests/test_oak.py": 2.3,
    "tests/test_reader_fidelity.py": 2.3,
    "tests/test_declaration_line.py": 2.2,
    "tests/test_exit_codes.py": 2.1,
    "tests/test_action_hostile.py": 2.0,
    "tests/test_hostile_env3.py": 1.9,
    "tests/test_scheduling.py": 1.9,
    "tests/test_reader_databases.py": 1.8,
    "tests/test_ofn_layer.py": 1.8,
    "tests/test_datasette.py": 1.8,
    "tests/test_unreadable.py": 1.8,
    "tests/test_cli_round3.py": 1.7,
    "tests/test_failures_both.py": 1.7,
    "tests/test_review_round4.py": 1.6,
    "tests/test_postgres_readers.py": 1.6,
    "tests/test_github_hostile_answers.py": 1.6,
    "tests/test_postgres_long_values.py": 1.6,
    "tests/test_deferred_layer.py": 1.6,
    "tests/test_readers_round3.py": 1.1,
    "tests/test_readers_round4.py": 1.1,
    "tests/test_readers_round2.py": 0.3,
}
PER_TEST = frozenset({
    "tests/test_incremental.py", "tests/test_postgres_server.py", "tests/test_sync.py", "tests/test_semsql.py",
    "tests/test_sync_lock.py", "tests/test_postgres_sync.py", "tests/test_bounded.py", "tests/test_pr_comment.py",
    "tests/test_rdf.py",
    # round 10's modules of function-scoped fixtures only
    "tests/test_action_hostile.py", "tests/test_action_comment_owner.py", "tests/test_pr_comment_failed.py",
    "tests/test_postgres_many_sources.py",
    # round 4's lock waits and fake GitHub runs, function-scoped fixtures only
    "tests/test_postgres_round4.py", "tests/test_action_round4.py",
})
SHARED_SCOPES = {"module", "class", "package"}


def module_of(nodeid: str) -> str:
    return nodeid.split("::")[0]


def heaviest_first(nodeids: list[str]) -> list[str]:
    """`nodeids` in the order their units should start; a module's tests keep their order."""
    sizes: dict[str, int] = {}
    for n in nodeids:
        sizes[module_of(n)] = sizes.get(module_of(n), 0) + 1
    first = {m: i for i, m in enumerate(sizes)}
    starter: dict[str, str] = {}  # each module's first PostgreSQL case
    for n in nodeids:
        if on_postgres(n) and module_of(n) in PER_TEST:  # elsewhere pytest's order by fixture stands
            starter.setdefault(module_of(n), n)

    def rank(n: str) -> tuple:
        m = module_of(n)
        # the first PostgreSQL case starts the module (its fixture may be pg_corpus_template, a long
        # sync): the module's other PostgreSQL cases come last, not waiting for it at the start
        stage = 0 if starter.get(m) == n else 2 if m in starter and on_postgres(n) else 1
        return -WEIGHTS.get(m, 0), -sizes[m], first[m], stage

    return sorted(nodeids, key=rank)


def on_postgres(nodeid: str) -> bool:
    """A test's PostgreSQL case (parametrized "postgres", as the `backend` fixtures are)."""
    return "postgres" in nodeid.partition("[")[2]


def shared_fixtures(item: pytest.Item) -> list[str]:
    """The fixtures `item` shares with other tests (built once for several of them)."""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.items() if info is not None else ()
    return [name for name, ds in defs if any(d.scope in SHARED_SCOPES for d in ds)]


@pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture scope: this order is final
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if module_of(item.nodeid) in PER_TEST and shared_fixtures(item):
            MISPLACED[item.nodeid] = ", ".join(shared_fixtures(item))
    if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker sorts alike: xdist checks the collections match
        order = {n: i for i, n in enumerate(heaviest_first([i.nodeid for i in items]))}
        items.sort(key=lambda i: order[i.nodeid])


MISPLACED: dict[str, str] = {}  # PER_TEST tests that share a fixture: they fail, saying so


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.nodeid in MISPLACED:
        pytest.fail(f"{item.nodeid} uses {MISPLACED[item.nodeid]}, a fixture shared by the module's tests, but "
                    "tests/scheduling.py runs them apart (PER_TEST): take the module out of PER_TEST", pytrace=False)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's (a dev dependency)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under `--dist loadfile`: xdist's file scheduling with PER_TEST's modules split per test, in
    the workers' collection order (heaviest first, above) instead of most tests first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class HeaviestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = module_of(nodeid)
            return nodeid if module in PER_TEST else module

    config.option.loadscopereorder = False
    return HeaviestFirst(config, log)
