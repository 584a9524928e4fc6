"""The app as production runs it, on the test database: gunicorn, DEBUG off. For the
tests that measure what a server does (page weight, a worker's memory)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_tests() -> str:
    d = connection.settings_dict
    host = d["HOST"] or d["OPTIONS"].get("host", "")
    return f"postgresql://{d['USER']}:{d['PASSWORD']}@/{d['NAME']}?host={host}"


def production_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        # The test's own key: a session made in the test must be valid there.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url_for_tests(),
    }


@contextmanager
def gunicorn(*args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """(its URL, the master process) of gunicorn with one sync worker; `args` add to its
    command line. The data a test made must be committed (a transactional test)."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "coordination.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            *args,
        ],  # fmt: skip
        cwd=ROOT,
        env=production_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield url, server
    finally:
        server.terminate()
        server.wait(10)


def worker_of(master: subprocess.Popen) -> int:
    """The pid of the one worker gunicorn's master started."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far, in bytes (VmHWM, kept by the kernel)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for {pid}")
