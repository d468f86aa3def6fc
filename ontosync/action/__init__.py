"""The GitHub Action: `entrypoint.py` in the image calls `main()`.

- `run`: the order of it all; the exit code is the sync's
- `inputs`: `INPUT_*` variables -> checked settings -> `ontosync sync` arguments
- `commands`: workflow commands (annotations, masks, groups, stop-commands), escaped
- `summary`: the run report -> step outputs, job summary (markdown + mermaid), annotations
- `checked_out`: which repository a checkout is (its `origin`), for the summary and annotations
- `changes`, `failed_note`: what the sync changed (from the change log), and the files that failed
- `artifacts`, `restore`: newest workflow artifact of a name, downloaded and unpacked safely
- `fetch_db`: `ontosync fetch-db`, the downstream side of the same artifacts
- `pull_request`, `base_config`, `comment_owner`, `comment_calls`, `target_checkout`: a pull request's sync
  against its base and its one comment
- `empty_workspace`, `planted_links`: checks of the workspace before anything is written
- `ignored_config`: the configuration file's `db:`/`checkpoint:`/`report:`, overridden by the inputs, named
- `container_step`: the composite Action's step that runs the image (runs on the host, stdlib only)
"""



def main(*args, **kwargs) -> int:
    """The Action (see ontosync.action.run.main); imported on call so the CLI stays light."""
    from ontosync.action.run import main as run_main

    return run_main(*args, **kwargs)


__all__ = ["main"]
