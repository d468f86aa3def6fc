"""The GitHub Action: `entrypoint.py` in the image calls `main()`.

- `inputs`: `INPUT_*` variables -> checked settings -> `ontosync sync` arguments
- `commands`: workflow commands (annotations, masks, groups, stop-commands), escaped
- `summary`: the run report -> step outputs, job summary (markdown + mermaid), annotations
- `artifacts`, `restore`: newest workflow artifact of a name, downloaded and unpacked safely
- `fetch_db`: `ontosync fetch-db`, the downstream side of the same artifacts
- `run`: the order of it all; the exit code is the sync's
"""



def main(*args, **kwargs) -> int:
    """The Action (see ontosync.action.run.main); imported on call so the CLI stays light."""
    from ontosync.action.run import main as run_main

    return run_main(*args, **kwargs)


__all__ = ["main"]
