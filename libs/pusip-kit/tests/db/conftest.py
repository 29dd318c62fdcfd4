from pusip_kit.testing.db import (  # noqa: F401  (fixtures are found by name)
    db_backend,
    db_connection,
    db_engine,
    db_session,
    db_sessionmaker,
    db_url,
    migrations_dir,
)
