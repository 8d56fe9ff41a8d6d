"""Alembic environment. The connection comes from the caller (``voxsight db upgrade``), or, when
developers run ``alembic`` by hand, from ``-x url=...`` or the Voxsight configuration."""

from alembic import context
from sqlalchemy import create_engine

from voxsight.store.schema import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url is None:
        from voxsight import config

        url = config.load().store_url
    with create_engine(url).connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection) -> None:
    # batch mode lets SQLite alter tables by copy-and-move
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
