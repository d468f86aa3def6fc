import sys

from ontosync.cli import main

sys.exit(main())
