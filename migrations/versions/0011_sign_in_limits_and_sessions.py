"""sign_in_limits: failed sign-ins counted per key under a row lock; api_tokens.session

Failed sign-ins were counted from the audit log, then the new one inserted: parallel attempts all
counted the same few failures and all had their password checked (issue 16, finding 4). Now each
key (a name from an address, a name, an address) has one row that an attempt changes under its
lock before any password is checked. ``api_tokens.session`` tells a console sign-in (which also
ends when idle) from a token an admin made; sessions were the tokens named ``console session (…)``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_limits',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.add_column('api_tokens', sa.Column('session', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE api_tokens SET session = true WHERE name LIKE 'console session (%'")


def downgrade() -> None:
    op.drop_column('api_tokens', 'session')  # SQLite 3.35+ drops a column in place
    op.drop_table('sign_in_limits')
