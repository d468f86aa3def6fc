"""An organisation's PostgreSQL server, round 9: in CI (GITHUB_REPOSITORY set) two checkouts of two
other repositories synced into one server without `?schema=` each get the schema of their own
repository, so the second sync no longer deletes the first's rows; a source that is the workflow's
own repository keeps the schema named after GITHUB_REPOSITORY.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import pytest

from ontosync.cli import main
from tests.postgres_server import drop_schema, new_schema, server_url
from tests.test_postgres_many_sources import _classes  # a schema's synced classes

HEAD = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"


def _checkout(root, origin: str | None, cls: str):
    """A folder as actions/checkout leaves it: `.git/config` naming its `origin`, one class."""
    root.mkdir(parents=True)
    if origin is not None:
        (root / ".git").mkdir()
        (root / ".git" / "config").write_text(
            f'[core]\n\tbare = false\n[remote "origin"]\n\turl = https://github.com/{origin}\n', encoding="utf-8")
    (root / f"{cls}.ttl").write_text(HEAD + f"<http://e.org/{cls}> a owl:Class .\n", encoding="utf-8")
    return root


@pytest.fixture
def stem():
    """A name stem whose three derived schemas (the workflow's, `a`'s and `b`'s) are dropped after."""
    server_url()
    name = new_schema()
    yield name
    for schema in (f"{name}_wf", f"{name}_a", f"{name}_b"):
        drop_schema(schema)


def _sync(tree, checkpoint) -> int:
    return main(["sync", str(tree), "--db", server_url(), "--quiet", "--workers", "1", "--checkpoint", str(checkpoint)])


def test_two_checkouts_of_other_repositories_keep_their_own_rows(stem, tmp_path, monkeypatch):
    """Was: `sync a` then `sync b` into one server without `?schema=`, `a` and `b` checkouts of two
    repositories in a workflow of a third: both schemas were named after GITHUB_REPOSITORY, one
    owner, so `b`'s sync deleted `a`'s class, unsaid (exit 0). Now each checkout's `origin` names
    its schema; a folder of the workflow's own checkout keeps GITHUB_REPOSITORY's."""
    monkeypatch.setenv("GITHUB_REPOSITORY", f"{stem}/wf")
    workspace = _checkout(tmp_path / "ws", f"{stem}/wf", "W")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    a = _checkout(workspace / "a", f"{stem}/a", "A")
    b = _checkout(workspace / "b", f"{stem}/b", "B")
    assert _sync(a, tmp_path / "a.json") == 0 and _sync(b, tmp_path / "b.json") == 0
    assert _classes(f"{stem}_a") == ["http://e.org/A"]
    assert _classes(f"{stem}_b") == ["http://e.org/B"]
    own = _checkout(workspace / "pages", None, "P")  # a folder of the workflow's checkout: as before
    assert _sync(own, tmp_path / "own.json") == 0
    assert _classes(f"{stem}_wf") == ["http://e.org/P"] and _classes(f"{stem}_a") == ["http://e.org/A"]


def test_the_schema_name_changes_only_for_a_checkout_of_another_repository_in_ci(tmp_path, monkeypatch):
    """Least change for existing users: outside CI the folder's name (no `.git/config` read), a
    github: source its repository, a checkout of the workflow's own repository (any case) or one
    whose origin is no GitHub repository GITHUB_REPOSITORY; only another repository's checkout,
    or a folder inside it, its own."""
    from ontosync.db_url import schema_for
    from ontosync.sources.git_head import checkout_origin

    url = "postgresql://u@127.0.0.1:9/onto"
    other = _checkout(tmp_path / "terms", "lab/terms", "T")
    (other / "sub").mkdir()
    own = _checkout(tmp_path / "own", "ACME/Ontology", "O")
    odd = _checkout(tmp_path / "odd", None, "X")
    (odd / ".git").mkdir()
    (odd / ".git" / "config").write_text('[remote "origin"]\n\turl = /srv/git/terms.git\n', encoding="utf-8")

    def named(source: str) -> str:
        return schema_for(url, source, checkout_origin(source))

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert [named(str(other)), named("github:lab/x@v1")] == ["terms", "lab_x"]
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ontology")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert [named(str(other)), named(str(other / "sub")), named(str(own)), named(str(odd)),
            named("github:lab/x")] == ["lab_terms", "lab_terms", "acme_ontology", "acme_ontology", "lab_x"]
    assert schema_for(f"{url}?schema=Mine", str(other), "lab/terms") == "mine"  # a named schema stays named


def test_no_checkout_outside_the_workspace_names_the_schema(tmp_path, monkeypatch):
    """The final read's finding: the walk up from the source went past the workspace to `/`, so a
    workspace with no `.git` of its own (actions/checkout's REST-API fallback; a self-hosted runner
    whose home folder is a git repository) had its schema named after an unrelated `.git/config`'s
    origin (`/home/runner/.git`), where the Action's warning names another. The walk stops at
    GITHUB_WORKSPACE, and a source outside it (or no workspace known) keeps GITHUB_REPOSITORY."""
    from ontosync.db_url import schema_for
    from ontosync.sources.git_head import checkout_origin

    home = _checkout(tmp_path / "home", "someone/dotfiles", "H")
    workspace = home / "work"
    (workspace / "pages").mkdir(parents=True)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ontology")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    assert checkout_origin(str(workspace / "pages")) is None
    assert schema_for("postgresql://u@127.0.0.1:9/onto", str(workspace / "pages"),
                      checkout_origin(str(workspace / "pages"))) == "acme_ontology"
    assert checkout_origin(str(home)) is None  # outside the workspace
    monkeypatch.delenv("GITHUB_WORKSPACE")
    assert checkout_origin(str(home)) is None  # no workspace known: as before
