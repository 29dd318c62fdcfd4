# One image for every Pusip component (docker-compose.yml runs it as `pusip serve <name>` and
# `pusip worker <name>`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install --no-cache-dir "uv==0.13.9"

# pg_dump / pg_restore for `pusip backup` / `pusip restore` in distributed mode (they must be at least
# the PostgreSQL server's major version: see docs/operations.md, "Backups").
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# dependencies first (a layer that changes only with uv.lock and the members' pyproject files)
COPY pyproject.toml uv.lock README.md ./
COPY libs/pusip-kit/pyproject.toml libs/pusip-kit/
COPY services/catalog/pyproject.toml services/catalog/
COPY services/circulation/pyproject.toml services/circulation/
COPY services/deposit/pyproject.toml services/deposit/
COPY services/archive/pyproject.toml services/archive/
COPY services/accreditation/pyproject.toml services/accreditation/
COPY gateway/pyproject.toml gateway/
RUN uv sync --frozen --no-dev --all-packages --no-install-workspace

# then the workspace itself
COPY . .
RUN uv sync --frozen --no-dev --all-packages \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home pusip \
    && mkdir -p /app/var \
    && chown pusip:pusip /app/var

ENV PATH=/app/.venv/bin:$PATH \
    PUSIP_DATA_DIR=/app/var

USER pusip
EXPOSE 8000 8001 8002 8003 8004 8005
CMD ["pusip", "--help"]
