"""The schema, as SQLAlchemy Core tables. Migrations in storage/migrations mirror it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- the network's reference lists -------------------------------------------------------------

municipalities = Table(
    "municipalities", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("region", String(200), nullable=True),
)

organizations = Table(
    "organizations", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("municipality_id", ForeignKey("municipalities.id", ondelete="RESTRICT"),
           nullable=False),
    Column("added_by_teacher", Boolean, nullable=False, default=False),
    UniqueConstraint("municipality_id", "name", name="uq_organizations_municipality_name"),
)

subjects = Table(
    "subjects", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
)

topics = Table(
    "topics", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
)

# --- people ------------------------------------------------------------------------------------

teachers = Table(
    "teachers", metadata,
    Column("id", Integer, primary_key=True),
    Column("full_name", String(120), nullable=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True),
    Column("position", String(32), nullable=True),
    Column("timezone", String(64), nullable=False),
    Column("wants_to_mentor", Boolean, nullable=False, default=False),
    Column("consent_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime, nullable=True),
    Index("ix_teachers_organization", "organization_id"),
)

teacher_subjects = Table(
    "teacher_subjects", metadata,
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
)

teacher_topics = Table(
    "teacher_topics", metadata,
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), nullable=True),
    Column("locale", String(8), nullable=True),
    Column("reachable", Boolean, nullable=False, default=True),
    Column("start_code", String(64), nullable=True),
    # the public handle (Telegram @username), for "write to them" buttons; may change any time
    Column("username", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "external_id", name="uq_accounts_platform_external_id"),
    Index("ix_accounts_teacher", "teacher_id"),
)

# --- runtime state -----------------------------------------------------------------------------

dialog_states = Table(
    "dialog_states", metadata,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(64), primary_key=True),
    Column("state", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

processed_updates = Table(
    "processed_updates", metadata,
    Column("platform", String(16), primary_key=True),
    Column("update_id", String(64), primary_key=True),
    Column("processed_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    # the account's platform, copied at enqueueing so a claim reads this table alone
    Column("platform", String(16), nullable=False),
    Column("message_key", String(100), nullable=True),
    Column("params", JSON, nullable=False),
    Column("text", Text, nullable=True),
    # rows of buttons: {"label": message id, "action", "args"} or {"label"|"text", "url"}
    Column("buttons", JSON, nullable=True),
    # a file sent with the text; RESTRICT: a file cannot vanish while a row still has to send it
    Column("file_id", ForeignKey("files.id", ondelete="RESTRICT"), nullable=True),
    Column("batch_id", Integer, nullable=True),
    Column("not_before", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("status", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(300), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    # while the status is `sending`, the worker that claimed the row owns it until then
    Column("lease_until", UTCDateTime, nullable=True),
    Index("ix_outbox_due", "status", "not_before"),
    Index("ix_outbox_lease", "status", "lease_until"),
    Index("ix_outbox_batch", "batch_id"),
)

broadcasts = Table(
    "broadcasts", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_account_id", ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    Column("audience_kind", String(16), nullable=False),
    Column("audience_ref", Integer, nullable=True),
    # the audience's name when it was sent («Верхнегорский городской округ»), for the list
    Column("audience_label", String(300), nullable=False),
    Column("text", Text, nullable=False),
    # the file sent with the text; the broadcast's record outlives the file
    Column("file_id", ForeignKey("files.id", ondelete="SET NULL"), nullable=True),
    Column("recipients", Integer, nullable=False),
    Column("progress_message_id", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_broadcasts_unfinished", "finished_at"),
)

# --- peer-learning groups, mentoring and matching ----------------------------------------------

groups = Table(
    "groups", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(16), nullable=False),  # peer / mentoring / school_team
    Column("topic_id", ForeignKey("topics.id", ondelete="SET NULL"), nullable=True),
    Column("description", Text, nullable=True),
    Column("size_limit", Integer, nullable=True),
    # an open group is offered in /groups to teachers with its topic, who may join with a button
    Column("open", Boolean, nullable=False, default=True),
    Column("invite_code", String(32), nullable=False, unique=True),
    Column("round_id", ForeignKey("match_rounds.id", ondelete="SET NULL"), nullable=True),
    # the Telegram group chat or VK conversation tied to it, as a chat account
    Column("chat_account_id", ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("archived_at", UTCDateTime, nullable=True),
    Index("ix_groups_topic", "topic_id"),
)

group_members = Table(
    "group_members", metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), nullable=False),  # member / admin / mentor
    Column("joined_at", UTCDateTime, nullable=False),
    Index("ix_group_members_teacher", "teacher_id"),
)

match_preferences = Table(
    "match_preferences", metadata,
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("wants_peer_group", Boolean, nullable=False, default=False),
    Column("wants_mentor", Boolean, nullable=False, default=False),
    Column("mentor_capacity", Integer, nullable=False, default=2),
    Column("paused_until", UTCDateTime, nullable=True),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("ignored_rounds", Integer, nullable=False, default=0),
)

match_rounds = Table(
    "match_rounds", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # peer / mentoring
    Column("group_size", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("check_at", UTCDateTime, nullable=True),  # when to ask «Удалось встретиться?»
    Column("checked_at", UTCDateTime, nullable=True),
)

round_members = Table(
    "round_members", metadata,
    Column("round_id", ForeignKey("match_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="SET NULL"), nullable=True),
    Column("met", Boolean, nullable=True),
    Column("answered_at", UTCDateTime, nullable=True),
)

past_pairs = Table(
    "past_pairs", metadata,
    Column("teacher_a", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_b", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("round_id", ForeignKey("match_rounds.id", ondelete="CASCADE"), nullable=True),
)

match_schedules = Table(
    "match_schedules", metadata,
    Column("kind", String(16), primary_key=True),  # peer / mentoring
    Column("every", String(8), nullable=False),  # 2w / 1m / ...
    Column("group_size", Integer, nullable=True),
    Column("next_run_at", UTCDateTime, nullable=False),
)

# --- files sent by the bot (a broadcast's photo or document) ------------------------------------

files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", String(255), nullable=False),
    Column("mime", String(127), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# the messenger's own id for a file once uploaded there, so it is sent again without an upload
file_copies = Table(
    "file_copies", metadata,
    Column("file_id", ForeignKey("files.id", ondelete="CASCADE"), primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("remote_id", String(300), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# --- events: webinars, master classes, open lessons … and who registered -----------------------

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(24), nullable=False),  # webinar / master_class / open_lesson / …
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("format", String(16), nullable=False),  # online / offline / mixed
    Column("link", String(500), nullable=True),  # shown to registered people only
    Column("address", String(300), nullable=True),
    Column("capacity", Integer, nullable=True),
    Column("speaker", String(200), nullable=True),
    # who organizes it: a teacher (a group admin) or a coordinator's account
    Column("organizer_teacher_id", ForeignKey("teachers.id", ondelete="SET NULL"), nullable=True),
    Column("organizer_account_id", ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    # the audience: its groups (event_groups), or the whole network, optionally narrowed
    Column("for_network", Boolean, nullable=False, default=False),
    Column("municipality_id", ForeignKey("municipalities.id", ondelete="SET NULL"),
           nullable=True),
    Column("subject_id", ForeignKey("subjects.id", ondelete="SET NULL"), nullable=True),
    Column("anonymous_feedback", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Index("ix_events_starts_at", "starts_at"),
)

event_groups = Table(
    "event_groups", metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)

registrations = Table(
    "registrations", metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("teacher_id", ForeignKey("teachers.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),  # going / waitlist / cancelled / declined
    # the waitlist's order: when they asked for a seat (kept when promoted)
    Column("requested_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("attended", Boolean, nullable=True),  # marked by the organizer after the event
    Index("ix_registrations_teacher", "teacher_id"),
)
