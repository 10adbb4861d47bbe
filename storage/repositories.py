"""All repositories, bound to one connection (one transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.accounts import AccountRepository
from storage.audience import AudienceRepository
from storage.broadcasts import BroadcastRepository
from storage.dialogs import DialogRepository
from storage.events import EventRepository
from storage.files import FileRepository
from storage.groups import GroupRepository
from storage.matching import MatchRepository
from storage.network import NetworkRepository
from storage.outbox import OutboxRepository
from storage.teachers import TeacherRepository
from storage.updates import UpdateRepository


class Repositories:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.accounts = AccountRepository(conn)
        self.audience = AudienceRepository(conn)
        self.broadcasts = BroadcastRepository(conn)
        self.dialogs = DialogRepository(conn)
        self.events = EventRepository(conn)
        self.files = FileRepository(conn)
        self.groups = GroupRepository(conn)
        self.matching = MatchRepository(conn)
        self.network = NetworkRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.teachers = TeacherRepository(conn)
        self.updates = UpdateRepository(conn)
