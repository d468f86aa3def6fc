"""`python -m ontosync`: the `ontosync` command (ontosync.run), as the installed script runs it."""

from ontosync import run

run()
