from circulation.models import Base
from pusip_kit.db.migrate import run_migrations_env

run_migrations_env(Base.metadata)
