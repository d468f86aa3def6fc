"""Run several `runoak` command lines in one process of OAK's own Python (one ~7 s start, not one per
command). Reads a JSON list of argument lists on stdin; prints a JSON list of {exit_code, stdout}.

Runs OAK's own click entry point (`runoak`), so each command is what a user typing it would get.
"""

import json
import sys

from click.testing import CliRunner
from oaklib.cli import main

runner = CliRunner()
results = []
for args in json.load(sys.stdin):
    r = runner.invoke(main, args, catch_exceptions=True)
    error = "" if r.exception is None or isinstance(r.exception, SystemExit) else repr(r.exception)
    results.append({"exit_code": r.exit_code, "stdout": r.output, "error": error})
json.dump(results, sys.stdout)
