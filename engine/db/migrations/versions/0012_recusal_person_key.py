"""recusals match the person concerned by a normalized key, not by the name as typed

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from engine.person_keys import person_key

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recusal") as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=64), nullable=True))
    recusal = sa.table("recusal", sa.column("id"), sa.column("subject_name"), sa.column("subject_key"))
    bind = op.get_bind()
    for row_id, name in bind.execute(sa.select(recusal.c.id, recusal.c.subject_name)).all():
        bind.execute(recusal.update().where(recusal.c.id == row_id).values(subject_key=person_key(name)))
    with op.batch_alter_table("recusal") as batch_op:
        batch_op.alter_column("subject_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_recusal_subject_key"), ["subject_key"])


def downgrade() -> None:
    with op.batch_alter_table("recusal") as batch_op:
        batch_op.drop_index(batch_op.f("ix_recusal_subject_key"))
        batch_op.drop_column("subject_key")
