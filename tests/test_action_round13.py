"""The Action, thirteenth round (h114): the folder the Action reads is the folder the sync syncs
(the configuration file's `path:` normalized as the sync does, its file refused as the sync
refuses it); one walk finds the checkout holding it for the summary and for the schema; a link
into `.GIT/` is refused whatever its case. In process, against the real CLI where it runs."""

from __future__ import annotations

from pathlib import Path

from ontosync.action.inputs import read_places
from tests.test_action import REPO, FakeCli, make_env, sample_report
from tests.test_action_round8 import write_classes
from tests.test_action_round11 import checked_out_repository, checkout_config
from tests.test_action_round12 import SHA, git_folder, run_action

PG = "postgresql://u:pw@127.0.0.1:9/onto"


def pg_workspace(tmp_path: Path, monkeypatch, **inputs: str) -> tuple[dict[str, str], Path]:
    """A PostgreSQL Action run's environment (the sync reads its own: the same values), the
    workspace a checkout of REPO."""
    env = make_env(tmp_path, database=PG, **inputs)
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    checkout_config(ws, f"https://github.com/{REPO}")
    return env, ws


def checkpoint_and_summary(env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """The checkpoint the Action hands the sync (named after the schema it reads), and the summary."""
    cli = FakeCli(sample_report(failed=0))
    run_action(env, cli)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    return Path(cli.argv[cli.argv.index("--checkpoint") + 1]).name, summary


# -- 1. the configuration file's `path:` as the sync reads it ------------------------------------------

def test_a_config_path_written_with_a_leading_slash_names_the_schema_the_sync_writes(tmp_path, monkeypatch):
    """`path: /onto` in `.ontosync.yml`, `onto` a checkout of lab/terms: the sync strips the `/` and
    writes schema `lab_terms`; the Action joined `/onto` to the workspace as an absolute path (the
    root's `/onto`), found no checkout and read the workspace's schema: its checkpoint and change
    figures were another schema's, its summary named the workflow's repository."""
    env, ws = pg_workspace(tmp_path, monkeypatch)
    (ws / ".ontosync.yml").write_text("path: /onto\n", encoding="utf-8")
    write_classes(ws / "onto", "A")
    checkout_config(ws / "onto", "https://github.com/lab/terms")
    checkpoint, summary = checkpoint_and_summary(env, tmp_path)
    assert checkpoint == "ontosync-lab_terms.postgres.checkpoint.json"
    assert "Source <code>lab/terms</code>, folder <code>onto</code>" in summary


def test_a_config_path_climbing_out_is_the_sync_s_refusal(tmp_path):
    """`path: ../elsewhere` in `.ontosync.yml`, `elsewhere` an empty folder beside the workspace: the
    Action looked into it and stopped with "the `path` folder ../elsewhere is empty" (a submodule
    not checked out?), a wrong reason. The sync's own refusal is said: exit 2, the line named."""
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    (ws / ".ontosync.yml").write_text("path: ../elsewhere\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    log = run_action(env, code=2)
    said = ".ontosync.yml line 1: 'path' must be a folder inside the source"
    assert "is empty" not in log and said in log, log[-2000:]
    assert read_places(env).path == ""


def test_a_config_linked_out_of_the_checkout_is_not_read_by_the_action(tmp_path, monkeypatch):
    """`.ontosync.yml -> ../mine.yml`, out of the checkout: the sync refuses it, the Action read its
    `path:` all the same, and, that folder empty, stopped saying it was a submodule not checked out
    rather than what is wrong; its checkpoint was named after that folder's checkout."""
    env, ws = pg_workspace(tmp_path, monkeypatch)
    (tmp_path / "mine.yml").write_text("path: onto\n", encoding="utf-8")
    (ws / ".ontosync.yml").symlink_to(tmp_path / "mine.yml")
    (ws / "onto").mkdir()
    log = run_action(env, code=2)
    assert "is empty" not in log and "a symbolic link leading outside the source root" in log, log[-2000:]
    checkout_config(ws / "onto", "https://github.com/lab/terms")
    assert checkpoint_and_summary(env, tmp_path)[0] == f"ontosync-{REPO.replace('/', '_')}.postgres.checkpoint.json"


# -- 2. one walk to the checkout holding the folder ------------------------------------------------------

def test_a_path_folder_linked_into_a_submodule_is_named_by_the_submodule(tmp_path, monkeypatch):
    """`path: onto`, `onto` a link to `vendor/terms` inside the submodule `vendor` (lab/terms): the
    sync reads the submodule's files and names the schema after lab/terms, but the summary walked
    the link's own path, found the workspace's checkout and named the workflow's repository (its
    failed files marked as the workflow's)."""
    env, ws = pg_workspace(tmp_path, monkeypatch, path="onto")
    git_folder(ws / ".git" / "modules" / "vendor", "lab/terms")
    write_classes(ws / "vendor" / "terms", "A")
    (ws / "vendor" / ".git").write_text("gitdir: ../.git/modules/vendor\n", encoding="ascii")
    (ws / "onto").symlink_to(ws / "vendor" / "terms", target_is_directory=True)
    checkpoint, summary = checkpoint_and_summary(env, tmp_path)
    assert checkpoint == "ontosync-lab_terms.postgres.checkpoint.json"
    assert f"Source <code>lab/terms</code>, folder <code>onto</code> at <code>{SHA}</code>" in summary


def test_a_dangling_git_link_names_one_repository_for_summary_and_schema(tmp_path, monkeypatch):
    """The workspace a checkout of lab/main (not the workflow's repository), `onto/.git` a link to
    nothing: the schema's walk stopped at `onto` (no origin readable: the workflow's repository),
    the summary's walked past it and named lab/main. One walk: both name the workflow's."""
    env, ws = pg_workspace(tmp_path, monkeypatch, path="onto")
    checkout_config(ws, "https://github.com/lab/main")
    write_classes(ws / "onto", "A")
    (ws / "onto" / ".git").symlink_to(ws / "nowhere")
    checkpoint, summary = checkpoint_and_summary(env, tmp_path)
    assert checkpoint == f"ontosync-{REPO.replace('/', '_')}.postgres.checkpoint.json"
    assert f"Source <code>{REPO}</code>, folder <code>onto</code>" in summary
    assert checked_out_repository(env, ws, "") == "lab/main"  # the workspace's own: its origin


# -- 5. a link into `.GIT/` ---------------------------------------------------------------------------

def test_a_link_into_git_is_refused_whatever_its_case(tmp_path):
    """`config.edn -> ../.GIT/config`: on a case-insensitive file system (macOS, Windows) `.GIT` is
    the clone's `.git`, where actions/checkout keeps the job's token; the walk and the small-file
    read compared `.git` case-sensitively and followed it. Refused as a link into `.git/` is (the
    configuration file's outputs already compare lower-cased)."""
    from ontosync.sources import LINK_INTO_GIT, PathFilter
    from ontosync.sources.local import LocalSource

    root = tmp_path / "src"
    (root / ".GIT").mkdir(parents=True)
    (root / ".GIT" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (root / "logseq").mkdir()
    (root / ".GIT" / "A.ttl").write_text("<http://x/A> a <http://x/C> .\n", encoding="utf-8")
    (root / "logseq" / "config.edn").symlink_to(Path("..") / ".GIT" / "config")
    (root / "A.ttl").symlink_to(Path(".GIT") / "A.ttl")
    source = LocalSource(root, PathFilter(), 1 << 20)
    listed = {sf.path: sf for sf in source.list_files()}
    assert listed["A.ttl"].refused == LINK_INTO_GIT
    assert source.read_file("logseq/config.edn", 1 << 20) is None
    assert source.read_file(".GIT/config", 1 << 20) is None
