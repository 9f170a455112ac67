"""on PostgreSQL the audit trail is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE of
audit_event for every role that has not disabled it (only a superuser or the table's owner can)

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no roles; the hash chain and the anchored head show tampering there
    op.execute(
        """
        CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '审计事件只能追加，不能修改或删除（audit_event is append-only）';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
    op.execute("DROP TRIGGER audit_event_no_change ON audit_event")
    op.execute("DROP FUNCTION audit_event_append_only()")
