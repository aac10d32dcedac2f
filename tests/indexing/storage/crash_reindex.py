"""Run a reindex that kills its own process (SIGKILL) at a named point; used by test_crash."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.settings import EngineSettings
from indexing.storage import indexer, snapshot


def die(*_args: Any, **_kwargs: Any) -> None:
    """Die like `kill -9`: no cleanup, no flush."""
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str) -> None:
    """Patch the step after which the process dies."""
    if point == "embedding":
        original_embed = indexer.Indexer._embed

        def embed(self: Any, documents: Any, progress: Any) -> Any:
            if documents:
                die()
            return original_embed(self, documents, progress)

        indexer.Indexer._embed = embed  # type: ignore[method-assign]
    elif point == "snapshot-written":
        original_write = snapshot.SnapshotStore.write

        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            original_write(self, *args, **kwargs)
            die()

        snapshot.SnapshotStore.write = write  # type: ignore[method-assign]
    elif point == "committed":
        snapshot.SnapshotStore.publish = die  # type: ignore[method-assign]
    elif point == "published":
        snapshot.SnapshotStore.prune = die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown point {point}")


def main() -> None:
    knowledge, data, point = sys.argv[1:4]
    arm(point)
    settings = EngineSettings(
        knowledge_dir=Path(knowledge),
        data_dir=Path(data),
        embedding_model="hashing",
        _env_file=None,
    )  # type: ignore[call-arg]
    database = open_database(settings.resolved_database_url)
    KnowledgeEngine.open(settings, database.sessions).reindex()
    raise SystemExit("the reindex was supposed to be killed")


if __name__ == "__main__":
    main()
