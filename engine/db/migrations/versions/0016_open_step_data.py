"""an open step keeps its data on its row, so its page is served without loading the workflow (issue 11
#14); rows of steps opened before stay empty and are read from the workflow as before

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("data")
