import os

import pytest

from tests.helpers import CORPORA

pytest_plugins = ("tests.scheduling",)  # the order and split of the work under xdist


def pytest_configure(config):
    from tests.ram_disk import use_ram_disk

    use_ram_disk(config)


@pytest.fixture(autouse=True)
def _leaves_nothing_in_the_checkout(tmp_path_factory, monkeypatch):
    """A test writes only under its temporary folders: a file it leaves beside the project is a
    file a user running the tests finds in their checkout. So each test runs in a working folder of
    its own (a PostgreSQL sync's default checkpoint, `ontosync-SCHEMA.checkpoint.json`, lands in the
    working folder), and one that still writes into the checkout fails. The caches pytest and
    Hypothesis keep there are theirs. Nor is the job summary of a CI run on GitHub Actions a test's
    to write (the Action's sync step writes one when it cannot start its container)."""
    from tests.helpers import ROOT

    before = set(os.listdir(ROOT))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    yield
    left = sorted(set(os.listdir(ROOT)) - before - {".pytest_cache", ".hypothesis"})
    assert not left, f"the test left {left} in {ROOT}"


@pytest.fixture(autouse=True)
def _no_github_pacing(request, monkeypatch):
    """The Action paces its calls to GitHub as GitHub asks of an integration (artifacts.PACING: 0.25 s
    before every request, 1 s between writes). The fake GitHub on 127.0.0.1 has no secondary rate
    limit to respect, and the pace cost the suite ~40 s of waiting, the Action's in-process tests
    sleeping in PyGithub (h95). So a test calls the fake at once, unless it is marked github_pacing:
    tests/test_github_pacing.py holds that the Action keeps the pace."""
    if request.node.get_closest_marker("github_pacing") is None:
        monkeypatch.setattr("ontosync.action.artifacts.PACING", NO_PACING)


NO_PACING = {"seconds_between_requests": None, "seconds_between_writes": None}  # PyGithub's "no wait"


def pytest_collection_modifyitems(config, items):
    if CORPORA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared corpora not found at {CORPORA}")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory):
    """A database of the whole shared Logseq corpus, synced once per test run (a full sync of the
    1,684 pages is the suite's costliest step); tests copy it instead of syncing from nothing.
    Unchanged files are skipped by blob hash, so a copy is exactly what a first sync of an
    identical copy of the pages would leave. Under pytest-xdist the workers share one sync (the
    first to ask makes it, under a file lock, in the run's common temporary folder), so it costs
    one sync per run, not one per worker. Read it, never write it: copy it (`copy_db`) to change it."""
    from tests.helpers import PAGES

    if not PAGES.is_dir():
        pytest.skip(f"shared corpora not found at {PAGES}")
    return shared_once(tmp_path_factory, "corpus-db", _sync_corpus) / "corpus.db"


def _sync_corpus(work):
    import shutil

    from tests.helpers import PAGES, cli

    src = work / "pages"
    shutil.copytree(PAGES, src)
    db = work / "corpus.db"
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--report", str(work / "corpus-report.json"))
    assert proc.returncode == 0, proc.stderr


def shared_once(tmp_path_factory, name, make):
    """A folder `name` filled once per test run by `make(folder)`, shared by the xdist workers.

    Each worker is its own pytest session, so a session fixture alone runs once per worker. The
    workers' temporary folders share a parent that is new for every run (`pytest-N/popen-gwK`),
    so that parent holds the shared copy; the first worker makes it under an exclusive `flock`,
    the others wait for it and reuse it. Without xdist it is an ordinary session folder. A failed
    `make` leaves no done-marker, so every worker that asks fails the same way."""
    import fcntl
    import os

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name, numbered=False)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def corpus_report(corpus_db):
    """The run report of corpus_db's sync (a fresh full sync of the 1,684 pages)."""
    import json

    return json.loads((corpus_db.parent / "corpus-report.json").read_text(encoding="utf-8"))


def copy_db(template, target):
    """A copy of a closed database (no -wal left by a clean close) at `target`."""
    import shutil

    shutil.copyfile(template, target)
    return target


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """A database to sync into, on each backend: `backend.db` is what `--db` takes (a SQLite path,
    or a PostgreSQL URL naming a fresh schema, dropped afterwards); `backend.dump()` reads its
    content tables. The postgres case skips without a server (tests/postgres_server.py)."""
    from tests.postgres_server import Backend, server_url

    if request.param == "postgres":
        server_url()
    b = Backend(request.param, tmp_path)
    yield b
    b.close()


@pytest.fixture(scope="session")
def pg_corpus_template(tmp_path_factory):
    """The name of a database on the PostgreSQL server holding a fresh full sync of the shared corpus
    (schema `corpus`): the PostgreSQL twin of corpus_db, and like it made once per run and shared by
    the xdist workers (`shared_once`), since it is the suite's costliest step on that backend. Tests
    get a copy with CREATE DATABASE ... TEMPLATE (tests/postgres_server.py) and never connect to the
    template itself: PostgreSQL refuses to copy a database others are connected to. Dropped when the
    run ends (pytest_sessionfinish below). Skips without a server."""
    from tests.helpers import PAGES
    from tests.postgres_server import server_url

    server_url()
    if not PAGES.is_dir():
        pytest.skip(f"shared corpora not found at {PAGES}")
    return (shared_once(tmp_path_factory, PG_CORPUS, _sync_corpus_into_postgres) / "name").read_text()


PG_CORPUS = "pg-corpus"  # the shared folder naming the template database (its file `name`)


def _sync_corpus_into_postgres(work):
    """A new database synced from a copy of the pages; its name is written only once it is whole,
    and a failed sync drops it, so a failure leaves nothing behind on the server."""
    import shutil

    from tests.helpers import PAGES, cli
    from tests.postgres_server import create_database, database_url, drop_database, new_schema

    src = work / "pages"
    shutil.copytree(PAGES, src)
    name = f"tpl_{new_schema()}"
    create_database(name)
    try:
        proc = cli("sync", str(src), "--db", database_url(name, "corpus"), "--quiet",
                   "--checkpoint", str(work / "corpus.checkpoint.json"))
        assert proc.returncode == 0, proc.stderr
    except BaseException:
        drop_database(name)
        raise
    (work / "name").write_text(name)


def pytest_sessionfinish(session):
    """Drop the shared PostgreSQL corpus template and stop the shared OAK process once the whole run
    is over: in the process that is not an xdist worker (the controller, or the only process), after
    every worker has finished. Their folders are where shared_once put them: the run's base
    temporary folder."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or factory._basetemp is None:
        return  # no temporary folder was made, so no template either
    stop_oak_server(factory.getbasetemp() / OAK_SERVER)
    name_file = factory.getbasetemp() / PG_CORPUS / "name"
    if name_file.exists():
        from tests.postgres_server import drop_database

        try:
            drop_database(name_file.read_text())
        except Exception as exc:  # the run's outcome stands; say what was left behind
            print(f"\nleft the test database {name_file.read_text()} on the server: {exc}")


@pytest.fixture(scope="session")
def fresh_sync(tmp_path_factory):
    """`fresh_sync(tree, *args)`: the database one fresh full sync of `tree` (with `args`) makes,
    made once per run for each distinct content of the tree. A test's reference database ("the
    incremental result equals a fresh sync") is the same for its SQLite and PostgreSQL cases, which
    change their copies of the corpus alike: the second case, on any worker, reads the first one's
    sync instead of repeating it (a full corpus sync, ~5 CPU-seconds). The key is a hash of every
    file's relative path and bytes and of `args`, so a tree that differs in one byte gets its own
    sync. Read the database, never write it."""
    made: dict[str, object] = {}

    def fresh(tree, *args: str):
        key = tree_key(tree, args)
        if key not in made:
            made[key] = shared_once(tmp_path_factory, f"fresh-{key}", lambda work: _sync_fresh(tree, work, args))
        return made[key] / "fresh.db"

    return fresh


def tree_key(tree, args=()) -> str:
    """A hash of `tree`'s files (relative paths and bytes; symbolic links by their target) and `args`."""
    import hashlib
    import os

    h = hashlib.sha256(repr(tuple(map(str, args))).encode())
    for path in sorted(p for p in tree.rglob("*") if p.is_symlink() or p.is_file()):
        h.update(str(path.relative_to(tree)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:20]


def _sync_fresh(tree, work, args):
    from tests.helpers import cli

    proc = cli("sync", str(tree), "--db", str(work / "fresh.db"), "--quiet", *args)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="session")
def rdflib_graph(tmp_path_factory):
    """`rdflib_graph(path, fmt)`: rdflib's own parse of a shared ontology file (the independent
    reference of test_rdf, test_sync and test_oak), parsed once per run for all workers
    (tests/rdflib_graphs.py) and rebuilt from its triples in each process that asks; cached per
    process. A fresh Graph object each call would cost a rebuild: read it, never change it."""
    from tests.rdflib_graphs import parsed_graph

    made: dict = {}

    def graph(path, fmt: str):
        key = (str(path), fmt)
        if key not in made:
            made[key] = parsed_graph(lambda name, make: shared_once(tmp_path_factory, name, make), path, fmt)
        return made[key]

    return graph


OAK_SERVER = "oak-server"  # the shared folder naming the run's OAK process: files `pid` and `socket`
OAK_STARTED: list = []  # that process's Popen, held so that it is not reported as abandoned


@pytest.fixture(scope="session")
def oak_server(tmp_path_factory):
    """The Unix socket of one OAK process for the whole run (tests/oak_batch.py --serve), shared by
    the xdist workers (`shared_once`; under xdist the controller starts it as the run starts, see
    pytest_sessionstart): each module's batch of runoak commands (test_oak.run_jobs) runs in a child
    it forks, so OAK's start (~7 s of wall, ~3.5 CPU-seconds) is paid once per run, not once per
    module, and not waited for by the first module that needs it. None without OAK (ONTOSYNC_RUNOAK);
    the modules skip or fail on that themselves. Stopped when the run ends (pytest_sessionfinish)."""
    import time
    from pathlib import Path

    if not oak_installed():
        return None
    import warnings

    folder = shared_once(tmp_path_factory, OAK_SERVER, start_oak_server)
    sock = Path((folder / "socket").read_text())
    deadline = time.monotonic() + 120
    while not sock.exists() and time.monotonic() < deadline:  # the start may still be importing
        if OAK_STARTED:  # started by this process: its death is seen at once, with its log
            assert OAK_STARTED[-1].poll() is None, (folder / "server.log").read_text()
        time.sleep(0.05)
    if not sock.exists():  # run_jobs starts an OAK process of its own; the log says why
        log = (folder / "server.log").read_text()[-2000:]
        warnings.warn(f"the run's OAK process never listened: {log}", stacklevel=2)
    return sock


def oak_installed() -> bool:
    runoak = os.environ.get("ONTOSYNC_RUNOAK")
    return bool(runoak) and os.path.isfile(runoak)


def pytest_sessionstart(session):
    """Under xdist, the controller starts the run's OAK process at once (it imports for ~7 s while
    the workers start and run their first modules): the OAK modules then find it ready. Only for
    a run that holds them: the whole folder, or one of them named, and not `-m "not slow"` (their
    tests are slow ones: docs/testing.md's quick subset starts no OAK)."""
    config = session.config
    if os.environ.get("PYTEST_XDIST_WORKER") or not config.getoption("numprocesses", None):
        return
    if "not slow" in (config.getoption("markexpr", "") or ""):
        return
    if not oak_installed() or not any(_may_hold_oak(a) for a in config.args):
        return
    root = config._tmp_path_factory.getbasetemp()
    (root / OAK_SERVER).mkdir()
    start_oak_server(root / OAK_SERVER)
    (root / f"{OAK_SERVER}.done").touch()


OAK_MODULES = {"test_oak.py", "test_readers_round2.py", "test_readers_round3.py", "test_readers_round4.py"}


def _may_hold_oak(arg: str) -> bool:
    """A command-line path that is a folder of tests, or one of the modules that ask OAK."""
    from pathlib import Path

    path = Path(arg.split("::")[0])
    return path.is_dir() or path.name in OAK_MODULES


def start_oak_server(work) -> None:
    """Start it (`oak_server` waits until it listens). The socket is in a short folder of its own:
    a Unix socket's path may not exceed 107 bytes, and pytest's folders can be longer."""
    import subprocess
    import tempfile
    from pathlib import Path

    from tests.helpers import ROOT

    sock = Path(tempfile.mkdtemp(prefix="oak-")) / "s"
    python = Path(os.environ["ONTOSYNC_RUNOAK"]).parent / "python"
    with open(work / "server.log", "w") as log:
        proc = subprocess.Popen([str(python), str(ROOT / "tests" / "oak_batch.py"), "--serve", str(sock), "600"],
                                stdout=log, stderr=log, start_new_session=True)
    OAK_STARTED.append(proc)
    (work / "pid").write_text(str(proc.pid))
    (work / "socket").write_text(str(sock))


def stop_oak_server(folder) -> None:
    """End the run's OAK process (by the pid its starter wrote) and remove its socket's folder."""
    import contextlib
    import shutil
    import signal

    if (folder / "pid").exists():
        with contextlib.suppress(ProcessLookupError):  # it had stopped by itself (idle)
            os.kill(int((folder / "pid").read_text()), signal.SIGTERM)
    if (folder / "socket").exists():
        shutil.rmtree(os.path.dirname((folder / "socket").read_text()), ignore_errors=True)
