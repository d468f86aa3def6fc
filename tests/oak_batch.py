"""Run several `runoak` command lines in one process of OAK's own Python (one ~7 s start, not one per
command). Reads a JSON list of argument lists on stdin; prints a JSON list of {exit_code, stdout}.

Runs OAK's own click entry point (`runoak`), so each command is what a user typing it would get.

`--serve SOCKET IDLE_S`: the same for a whole test run (tests/conftest.py, oak_server): OAK is imported
once, and each batch that arrives on the Unix socket SOCKET (a JSON {"batch", "env"}, the writing side
shut when sent) runs in a child forked for it, so the test modules' batches share OAK's start (one per
run instead of one per module: ~7 s of wall and ~3.5 CPU-seconds each) but nothing else: each child
starts from the freshly imported OAK, with its own environment. Exits after IDLE_S seconds without
a batch, should the run that started it never stop it.
"""

import json
import os
import signal
import socket
import sys
import traceback

from click.testing import CliRunner
from oaklib.cli import main


def run(batch: list[list[str]]) -> list[dict]:
    runner = CliRunner()
    results = []
    for args in batch:
        r = runner.invoke(main, args, catch_exceptions=True)
        error = "" if r.exception is None or isinstance(r.exception, SystemExit) else repr(r.exception)
        results.append({"exit_code": r.exit_code, "stdout": r.output, "error": error})
    return results


def answer(conn: socket.socket) -> None:
    """In the forked child: read one request, run its batch, send the results back."""
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    request = json.loads(data)
    os.environ.update(request["env"])
    conn.sendall(json.dumps(run(request["batch"])).encode())


def serve(path: str, idle_s: float) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX)
    server.bind(path + ".new")
    server.listen(16)
    os.rename(path + ".new", path)  # the socket appears once it takes connections: clients wait for it
    server.settimeout(idle_s)
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            return
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # OAK's own children are waited for as usual
            try:
                conn.settimeout(None)
                answer(conn)
            except BaseException:  # os._exit skips Python's own report: the log (server.log) gets it
                traceback.print_exc()
            finally:
                os._exit(0)
        conn.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], float(sys.argv[3]))
    else:
        json.dump(run(json.load(sys.stdin)), sys.stdout)
