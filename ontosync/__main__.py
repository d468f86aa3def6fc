from ontosync.cli import run

run()
