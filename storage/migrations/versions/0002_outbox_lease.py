"""outbox: a lease for claimed rows, and the recipient's platform

A row claimed by a worker that died is claimed again once its lease has run out. The platform is
copied from the account so that a claim reads and locks the outbox table alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:25:47.785310
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE outbox SET platform = "
        "(SELECT accounts.platform FROM accounts WHERE accounts.id = outbox.account_id)"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("platform", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index("ix_outbox_lease", ["status", "lease_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_lease")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("platform")
