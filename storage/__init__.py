"""Persistence: SQLAlchemy Core tables, repositories (one per aggregate) and migrations.

No SQL lives outside this package.
"""
