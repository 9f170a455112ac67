"""a document's PDF is rendered after the transaction that issues it commits (issue 11 #12/#14): its hash
stays empty until then

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch_op:
        batch_op.alter_column("pdf_sha256", existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("document") as batch_op:
        batch_op.alter_column("pdf_sha256", existing_type=sa.String(length=64), nullable=False)
