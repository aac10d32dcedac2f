"""Cited sources keep their details: references, example flag, review status, passage link.

Revision ID: 0002_i10_source_details
Revises: 0001
Create Date: 2026-12-03 09:30:00

One nullable JSON column, so that rows written before it stay valid (read as no details).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_i10_source_details"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "bot_question_sources"
_COLUMN = "details"


def _present() -> bool:
    """True when the column already exists (never when printing SQL offline)."""
    if op.get_context().as_sql:
        return False
    columns = sa.inspect(op.get_bind()).get_columns(_TABLE)
    return any(c["name"] == _COLUMN for c in columns)


def upgrade() -> None:
    """Add the details column of cited sources."""
    if not _present():
        op.add_column(_TABLE, sa.Column(_COLUMN, sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the details column."""
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column(_COLUMN)
