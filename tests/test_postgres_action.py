"""Issue 15: the Action's `database` input takes a PostgreSQL URL: the sync runs into the source's
schema, the outputs and the summary name the server with the password masked, and the password is
registered with `::add-mask::` before anything is printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from ontosync.db_url import password
from tests.helpers import EXAMPLE, ROOT
from tests.postgres_server import drop_schema, new_schema, pg_dump, schema_url, server_url


def action_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    defaults = {name: str(meta.get("default", "")) for name, meta in spec["inputs"].items()}
    env = {"INPUT_" + name.upper(): "" if "github.token" in value else value for name, value in defaults.items()}
    ws = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, ws)
    env.update({"GITHUB_WORKSPACE": str(ws), "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
                "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_REPOSITORY": "acme/ontology"})
    env.update({"INPUT_" + k.replace("_", "-").upper(): v for k, v in inputs.items()})
    return env


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line
                and "<<" not in line)


def test_the_action_syncs_into_postgres_with_the_password_masked(tmp_path, capsys):
    server_url()
    schema = new_schema()
    url = schema_url(schema)
    secret = password(url)
    try:
        env = action_env(tmp_path, database=url, workers="1")
        code = action_run.main(env, cli_main=cli_main)
        captured = capsys.readouterr()
        assert code == 0, captured
        lines = captured.out.splitlines()
        assert f"::add-mask::{secret}" in lines[:3]  # before anything else is printed
        first_other = next(i for i, line in enumerate(lines) if not line.startswith("::add-mask::"))
        assert all(secret not in line for line in lines[first_other:]) and secret not in captured.err
        out = outputs(Path(env["GITHUB_OUTPUT"]))
        summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
        assert secret not in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8") and secret not in summary
        assert out["database"].startswith("postgresql://ontosync:***@") and out["database"].endswith(f"schema={schema}")
        dump = pg_dump(schema, ("owl_classes", "source_files"))
        assert int(out["classes"]) == sum(1 for r in dump["owl_classes"] if r[4] is not None) > 0
        assert int(out["files-ok"]) == sum(1 for r in dump["source_files"] if r[4] == "ok")
        ws = Path(env["GITHUB_WORKSPACE"])
        assert not any(p.suffix in (".db", ".postgres") for p in ws.iterdir())  # nothing written as a file
    finally:
        drop_schema(schema)
