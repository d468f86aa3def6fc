"""Docker entrypoint of the ontosync GitHub Action: everything happens in `ontosync.action`."""

import sys

from ontosync.action import main

if __name__ == "__main__":
    sys.exit(main())
