"""index_builds.report dropped: written at every reindex, never read.

A database whose tables `create_all` made after the column went never had it: left as it is.

Revision ID: 0002_i12_drop_build_report
Revises: 0002_i11_answer_tokens
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_i12_drop_build_report"
down_revision: str | Sequence[str] | None = "0002_i11_answer_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has_report() -> bool:
    """True when the column is there (always when printing SQL offline)."""
    if op.get_context().as_sql:
        return True
    columns = sa.inspect(op.get_bind()).get_columns("index_builds")
    return any(column["name"] == "report" for column in columns)


def upgrade() -> None:
    """Drop the column (SQLite: by copying the table, which batch mode does)."""
    if not _has_report():
        return
    with op.batch_alter_table("index_builds") as batch:
        batch.drop_column("report")


def downgrade() -> None:
    """Bring the column back, empty reports for the builds made meanwhile."""
    with op.batch_alter_table("index_builds") as batch:
        batch.add_column(sa.Column("report", sa.Text(), nullable=False, server_default="{}"))
