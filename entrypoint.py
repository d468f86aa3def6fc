"""Docker entrypoint of the ontosync GitHub Action: everything happens in `ontosync.action`."""

import sys

from ontosync.action import main
from ontosync.cli import main as cli_main

if __name__ == "__main__":
    sys.exit(main(cli_main=cli_main))  # the Action runs the sync through the CLI, which it never imports
