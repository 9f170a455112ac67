"""requests for a later deadline by a step's holder, and their decisions

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("human_task.id"), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=False),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("wanted_due", sa.Date(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("granted_due", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_extension_request_task_id"), "extension_request", ["task_id"])
    op.create_index(op.f("ix_extension_request_instance_id"), "extension_request", ["instance_id"])
    op.create_index(op.f("ix_extension_request_status"), "extension_request", ["status"])


def downgrade() -> None:
    op.drop_table("extension_request")
