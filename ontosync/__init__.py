"""ontosync: keep a queryable SQLite (or PostgreSQL) database of an ontology in step with its repository.

Where to start reading: docs/ARCHITECTURE.md (the path of one sync, the layers, a map of every module).
"""

__version__ = "0.1.0"


def run() -> None:
    """The `ontosync` command and `python -m ontosync`: `cli.run`, imported here so that a Ctrl-C
    during the imports (the first ~0.3 s) ends as one during the work does, exit 130 and one line:
    it was a KeyboardInterrupt traceback from whichever module was loading. SIGTERM and SIGHUP (a
    cancelled job, `kill`, a closed terminal) end it so too, from here on (a sync stops between two
    files: pipeline/interrupts.py): their default action ended the process without a word, exit 143."""
    import sys

    from ontosync.pipeline.interrupts import terminate_as_interrupt

    with terminate_as_interrupt():  # restores the handlers for a caller whose process goes on
        try:
            from ontosync.cli import run as cli_run
        except KeyboardInterrupt:
            print("ontosync: interrupted while starting; nothing was done", file=sys.stderr)
            sys.exit(130)
        cli_run()
