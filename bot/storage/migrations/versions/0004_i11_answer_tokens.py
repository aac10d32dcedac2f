"""Answer tokens: buttons, share queries and deep links carry a random token, not the id.

Revision ID: 0002_i11_answer_tokens
Revises: 0002_i13_contributions
Create Date: 2026-12-03 09:30:00

Existing answers get a token each, so the buttons of old messages stop working (their data
holds the sequential id, which must no longer open an answer).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_i11_answer_tokens"
down_revision: str | Sequence[str] | None = "0002_i13_contributions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "bot_questions"


def _has_token() -> bool:
    """False when the column must be added (always when printing SQL offline)."""
    if op.get_context().as_sql:
        return False
    columns = sa.inspect(op.get_bind()).get_columns(_TABLE)
    return any(column["name"] == "token" for column in columns)


def upgrade() -> None:
    """Add the token column, fill it for existing rows, then make it required and unique."""
    if _has_token():  # a database created by create_all after the model changed
        return
    with op.batch_alter_table(_TABLE) as batch:
        batch.add_column(sa.Column("token", sa.String(length=24), nullable=True))
    table = sa.table(_TABLE, sa.column("id", sa.Integer), sa.column("token", sa.String))
    if not op.get_context().as_sql:
        bind = op.get_bind()
        for (row_id,) in bind.execute(sa.select(table.c.id)).all():
            token = secrets.token_urlsafe(12)
            bind.execute(table.update().where(table.c.id == row_id).values(token=token))
    with op.batch_alter_table(_TABLE) as batch:
        batch.alter_column("token", existing_type=sa.String(length=24), nullable=False)
        batch.create_unique_constraint("uq_bot_questions_token", ["token"])


def downgrade() -> None:
    """Drop the token column."""
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_constraint("uq_bot_questions_token", type_="unique")
        batch.drop_column("token")
