"""Docker entrypoint of the ontosync image: the GitHub Action, or the CLI when given arguments.

With no arguments (how the runner and the Action's container step start it) everything happens in
`ontosync.action`. With arguments (`docker run IMAGE status --db ontology.db`, `--help`,
`--version`) it is the `ontosync` command: arguments were otherwise ignored, and `--help` ran a
whole sync of the workspace.
"""

import sys

from ontosync.action import main
from ontosync.cli import main as cli_main
from ontosync.cli import run as cli_run

if __name__ == "__main__":
    if len(sys.argv) > 1:
        cli_run()  # ends the process with the command's exit code
    try:
        code = main(cli_main=cli_main)  # the Action runs the sync through the CLI, which it never imports
    except KeyboardInterrupt:  # a cancel as the Action returned, its work said: no traceback
        code = 130
    sys.exit(code)
