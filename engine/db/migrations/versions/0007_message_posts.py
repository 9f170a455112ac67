"""messages for running instances: what each waits for, and every message posted to them

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_wait",
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=False),
        sa.Column("message", sa.String(length=64), nullable=False),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", "message"),
    )
    op.create_index(op.f("ix_message_wait_message"), "message_wait", ["message"])
    op.create_table(
        "message_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_to", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_message_post_message"), "message_post", ["message"])
    op.create_index(op.f("ix_message_post_delivered_to"), "message_post", ["delivered_to"])


def downgrade() -> None:
    op.drop_table("message_post")
    op.drop_table("message_wait")
