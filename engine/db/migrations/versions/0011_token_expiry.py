"""API tokens expire and can be revoked; a token made before expires 90 days after it was made

Revision ID: 0011
Revises: 0010
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    tokens = sa.table("api_token", sa.column("id"), sa.column("created_at"), sa.column("expires_at"))
    bind = op.get_bind()
    for token_id, created_at in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        made = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
        bind.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=made + timedelta(days=90))
        )
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("expires_at")
