"""Growing the base from Telegram: requests to the team, their team messages, alerts, additions.

Revision ID: 0002_i13_contributions
Revises: 0002_i10_source_details
Create Date: 2026-12-03 09:40:00

Like 0001, a table that already exists is kept (a `create_all` may have made it first).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_i13_contributions"
down_revision: str | Sequence[str] | None = "0002_i10_source_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _missing(table: str) -> bool:
    """True when the table must be created (always when printing SQL offline)."""
    if op.get_context().as_sql:
        return True
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    """Create the four tables of contributions."""
    if _missing("bot_escalations"):
        _escalations()
    if _missing("bot_escalation_messages"):
        _team_messages()
    if _missing("bot_notifications"):
        _notifications()
    if _missing("bot_additions"):
        _additions()


def _escalations() -> None:
    op.create_table(
        "bot_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("member_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("vote", sa.Integer(), nullable=True),
        sa.Column("added_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_bot_escalations_created_at"), "bot_escalations", ["created_at"])
    op.create_index(op.f("ix_bot_escalations_question_id"), "bot_escalations", ["question_id"])
    op.create_index(op.f("ix_bot_escalations_user_hash"), "bot_escalations", ["user_hash"])


def _team_messages() -> None:
    op.create_table(
        "bot_escalation_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["bot_escalations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "message_id"),
    )
    op.create_index(
        op.f("ix_bot_escalation_messages_escalation_id"),
        "bot_escalation_messages",
        ["escalation_id"],
    )


def _notifications() -> None:
    op.create_table(
        "bot_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id"),
    )
    op.create_index(op.f("ix_bot_notifications_created_at"), "bot_notifications", ["created_at"])
    op.create_index(op.f("ix_bot_notifications_user_hash"), "bot_notifications", ["user_hash"])


def _additions() -> None:
    op.create_table(
        "bot_additions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_bot_additions_created_at"), "bot_additions", ["created_at"])
    op.create_index(op.f("ix_bot_additions_source_url"), "bot_additions", ["source_url"])


def downgrade() -> None:
    """Drop the four tables, children first."""
    for table in (
        "bot_escalation_messages",
        "bot_escalations",
        "bot_notifications",
        "bot_additions",
    ):
        op.drop_table(table)  # its indexes go with it
