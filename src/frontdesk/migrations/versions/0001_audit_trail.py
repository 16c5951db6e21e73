"""The audit trail: an append-only, hash-chained audit_events table and the app's role.

Append-only twice over: the app role is granted only SELECT and INSERT, and a trigger
raises on UPDATE, DELETE and TRUNCATE for everyone, the table's owner included. A
superuser or the owner can still disable the trigger; the hash chain is what shows that.

Revision ID: 0001
Revises:
Create Date: 2025-06-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Roles are per cluster: the role outlives a downgrade, and databases of one cluster share it.
APP_ROLE = "frontdesk_app"


def upgrade() -> None:
    """Create the table, its indexes and trigger, and the app role with its grants."""
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String, nullable=False),
        sa.Column("call_id", sa.String),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("operation", sa.String, nullable=False),
        sa.Column("resource_type", sa.String),
        sa.Column("resource_id", sa.String),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("latency_ms", sa.Double),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_tenant", "audit_events", ["tenant", "seq"])
    op.create_index("ix_audit_events_call_id", "audit_events", ["call_id"])
    op.execute(
        """
        CREATE FUNCTION audit_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_events_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
        """
    )
    # Created if missing (a LOGIN role: workers sign in as it); an existing role is kept as
    # the operator made it. Two databases upgraded at once may race to create it.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} LOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON audit_events FROM PUBLIC")
    op.execute(f"GRANT SELECT, INSERT ON audit_events TO {APP_ROLE}")


def downgrade() -> None:
    """Drop the table and its trigger; the role stays (other databases may use it)."""
    op.execute(f"REVOKE ALL ON audit_events FROM {APP_ROLE}")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
