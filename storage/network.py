"""The network's reference lists: municipalities, organizations, subjects, topics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import municipalities, organizations, subjects, topics


@dataclass(frozen=True, slots=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    name: str
    municipality_id: int
    municipality: str


@dataclass(frozen=True, slots=True)
class NetworkCounts:
    municipalities: int
    organizations: int
    subjects: int
    topics: int


class NetworkRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- municipalities --

    async def municipalities(self) -> list[Named]:
        return await self._names(municipalities)

    async def municipality(self, municipality_id: int) -> Named | None:
        return await self._get(municipalities, municipality_id)

    async def add_municipality(self, name: str, region: str | None = None) -> Named:
        found = await self._find(municipalities, name)
        if found:
            return found
        new_id = await self._insert(municipalities, name=name, region=region)
        return Named(new_id, name)

    # -- organizations --

    async def organizations_in(self, municipality_id: int) -> list[Organization]:
        rows = await self.conn.execute(
            _organization_query()
            .where(organizations.c.municipality_id == municipality_id)
            .order_by(organizations.c.name)
        )
        return [_organization(r._mapping) for r in rows]

    async def organization(self, organization_id: int) -> Organization | None:
        row = (
            await self.conn.execute(
                _organization_query().where(organizations.c.id == organization_id)
            )
        ).first()
        return _organization(row._mapping) if row else None

    async def add_organization(
        self, municipality_id: int, name: str, *, by_teacher: bool = False
    ) -> Organization:
        existing = [
            o for o in await self.organizations_in(municipality_id)
            if o.name.casefold() == name.casefold()
        ]
        if existing:
            return existing[0]
        new_id = await self._insert(
            organizations, name=name, municipality_id=municipality_id,
            added_by_teacher=by_teacher,
        )
        found = await self.organization(new_id)
        assert found is not None
        return found

    # -- subjects and topics --

    async def subjects(self) -> list[Named]:
        return await self._names(subjects)

    async def add_subject(self, name: str) -> Named:
        return await self._find(subjects, name) or await self._add_named(subjects, name)

    async def topics(self) -> list[Named]:
        return await self._names(topics)

    async def add_topic(self, name: str) -> Named:
        return await self._find(topics, name) or await self._add_named(topics, name)

    async def counts(self) -> NetworkCounts:
        async def count(table: Table) -> int:
            result = await self.conn.execute(select(func.count()).select_from(table))
            return int(result.scalar_one())

        return NetworkCounts(
            await count(municipalities), await count(organizations), await count(subjects),
            await count(topics),
        )

    # -- helpers --

    async def _names(self, table: Table) -> list[Named]:
        rows = await self.conn.execute(select(table.c.id, table.c.name).order_by(table.c.name))
        return [Named(r.id, r.name) for r in rows]

    async def _get(self, table: Table, row_id: int) -> Named | None:
        row = (
            await self.conn.execute(select(table.c.id, table.c.name).where(table.c.id == row_id))
        ).first()
        return Named(row.id, row.name) if row else None

    async def _find(self, table: Table, name: str) -> Named | None:
        # Case-insensitive match done in Python: SQLite's lower() ignores Cyrillic.
        wanted = name.casefold()
        return next((n for n in await self._names(table) if n.name.casefold() == wanted), None)

    async def _add_named(self, table: Table, name: str) -> Named:
        return Named(await self._insert(table, name=name), name)

    async def _insert(self, table: Table, **values: Any) -> int:
        result = await self.conn.execute(table.insert().values(**values))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


def _organization_query() -> Any:
    return select(
        organizations.c.id, organizations.c.name, organizations.c.municipality_id,
        municipalities.c.name.label("municipality"),
    ).join(municipalities, municipalities.c.id == organizations.c.municipality_id)


def _organization(m: Any) -> Organization:
    return Organization(m["id"], m["name"], m["municipality_id"], m["municipality"])
