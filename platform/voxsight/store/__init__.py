"""The SQL store: SQLite by default (embedded), PostgreSQL in production."""

from voxsight.store.repository import Store, StoreError, upgrade

__all__ = ["Store", "StoreError", "upgrade"]
