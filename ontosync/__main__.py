"""`python -m ontosync`: the `ontosync` command (cli.run), as the installed script runs it."""

from ontosync.cli import run

run()
