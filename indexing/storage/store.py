"""Metadata tables of the engine: documents, their chunks (with cached vectors), index builds."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from indexing.models import Chunk, Document
from indexing.retrieval.embedding import Vectors
from indexing.storage.db import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DocumentRow(Base):
    """One indexed file of the knowledge folder."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True, index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(String(2048))
    date: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32), default="ressource")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    chunks: Mapped[list[ChunkRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ChunkRow.ordinal"
    )

    def __repr__(self) -> str:
        return f"DocumentRow(id={self.id!r}, path={self.path!r})"


class ChunkRow(Base):
    """A passage of a document with its cached embedding."""

    __tablename__ = "chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(1024), default="")
    text: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    document: Mapped[DocumentRow] = relationship(back_populates="chunks")

    def __repr__(self) -> str:
        return (
            f"ChunkRow(id={self.id!r}, document_id={self.document_id!r}, ordinal={self.ordinal!r})"
        )


class BuildRow(Base):
    """One completed index build; the latest one is what readers should serve."""

    __tablename__ = "index_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    build_id: Mapped[str] = mapped_column(String(64), unique=True)
    model: Mapped[str] = mapped_column(String(256))
    documents: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def __repr__(self) -> str:
        return f"BuildRow(build_id={self.build_id!r}, chunks={self.chunks!r})"


def known_hashes(session: Session) -> dict[str, str]:
    """Path → content hash of every indexed document."""
    return {
        path: digest
        for path, digest in session.execute(select(DocumentRow.path, DocumentRow.content_hash))
    }


def latest_build(session: Session) -> BuildRow | None:
    """The most recent completed build."""
    return session.scalars(select(BuildRow).order_by(BuildRow.id.desc()).limit(1)).first()


def recent_build_ids(session: Session, count: int) -> list[str]:
    """The ids of the latest completed builds, newest first."""
    stmt = select(BuildRow.build_id).order_by(BuildRow.id.desc()).limit(count)
    return list(session.scalars(stmt))


def remove_documents(session: Session, paths: list[str]) -> None:
    """Delete documents (and their chunks) by path."""
    if paths:
        ids = select(DocumentRow.id).where(DocumentRow.path.in_(paths))
        session.execute(delete(ChunkRow).where(ChunkRow.document_id.in_(ids)))
        session.execute(delete(DocumentRow).where(DocumentRow.path.in_(paths)))


def upsert_document(
    session: Session, document: Document, chunks: list[Chunk], vectors: Vectors
) -> None:
    """Replace a document's row and chunks."""
    remove_documents(session, [document.path])
    session.flush()
    row = DocumentRow(
        path=document.path,
        content_hash=document.content_hash,
        title=document.title,
        url=document.url,
        date=document.date,
        type=document.type,
        tags=list(document.tags),
        meta=json.loads(json.dumps(_meta(document), default=str)),
    )
    row.chunks = [
        ChunkRow(
            ordinal=c.ordinal, section=c.section, text=c.text, vector=v.astype(np.float32).tobytes()
        )
        for c, v in zip(chunks, vectors, strict=True)
    ]
    session.add(row)


def _meta(document: Document) -> dict[str, object]:
    """The document's extra front matter, with its references, example flag and review dates."""
    return {
        **document.metadata,
        "references": [r.to_json() for r in document.references],
        "exemple": document.example,
        "review_by": document.review_by,
        "facts_date": document.facts_date,
    }


def all_documents(session: Session) -> list[DocumentRow]:
    """Every document row, by path."""
    return list(session.scalars(select(DocumentRow).order_by(DocumentRow.path)))


def chunk_count(session: Session) -> int:
    """Number of stored chunks."""
    return int(session.scalar(select(func.count(ChunkRow.id))) or 0)


def record_build(session: Session, build_id: str, model: str, documents: int, chunks: int) -> None:
    """Record a completed build."""
    session.add(BuildRow(build_id=build_id, model=model, documents=documents, chunks=chunks))


def clear_all(session: Session) -> None:
    """Forget every document (full rebuild)."""
    session.execute(delete(ChunkRow))
    session.execute(delete(DocumentRow))
