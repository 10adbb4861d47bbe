"""The network's reference lists read from a YAML or CSV file, and loaded into the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from storage.network import NetworkCounts, NetworkRepository

Kind = Literal["municipality", "organization", "subject", "topic"]

# The lengths of the database columns (storage/tables.py).
NAME_LIMITS: dict[str, int] = {
    "municipality": 200, "organization": 300, "subject": 100, "topic": 200, "region": 200,
}
KINDS: dict[str, Kind] = {
    "municipality": "municipality", "муниципалитет": "municipality",
    "organization": "organization", "организация": "organization",
    "subject": "subject", "предмет": "subject",
    "topic": "topic", "тема": "topic",
}
CSV_COLUMNS: dict[str, str] = {
    "kind": "kind", "вид": "kind", "name": "name", "название": "name",
    "municipality": "municipality", "муниципалитет": "municipality",
    "region": "region", "регион": "region",
}
CSV_HEADER = "kind,name,municipality,region"
YAML_KEYS = "municipalities, subjects, topics"
MUNICIPALITY_KEYS = "name, region, organizations"
_NULL_TAG = "tag:yaml.org,2002:null"


class NetworkFileError(ValueError):
    """The file cannot be read as a network list; the message names the line and the problem."""


@dataclass(frozen=True, slots=True)
class MunicipalityEntry:
    name: str
    region: str | None
    organizations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NetworkList:
    municipalities: tuple[MunicipalityEntry, ...]
    subjects: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def organization_count(self) -> int:
        return sum(len(m.organizations) for m in self.municipalities)


@dataclass(frozen=True, slots=True)
class KindReport:
    added: int  # rows created by this load
    present: int  # listed names that were already in the database


@dataclass(frozen=True, slots=True)
class LoadReport:
    municipalities: KindReport
    organizations: KindReport
    subjects: KindReport
    topics: KindReport

    @property
    def added(self) -> int:
        """Rows of all kinds created by this load; 0 when everything was already there."""
        kinds = (self.municipalities, self.organizations, self.subjects, self.topics)
        return sum(k.added for k in kinds)


def parse_network_file(path: Path) -> NetworkList:
    parsers = {".yaml": parse_yaml, ".yml": parse_yaml, ".csv": parse_csv}
    parser = parsers.get(path.suffix.lower())
    if parser is None:
        suffix = path.suffix or "(none)"
        raise NetworkFileError(f"{path.name}: unsupported extension {suffix}; use .yaml or .csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NetworkFileError(f"{path.name}: the file is not UTF-8 text") from exc
    except OSError as exc:
        raise NetworkFileError(f"{path.name}: cannot read the file: {exc.strerror}") from exc
    return parser(text)


class _Collector:
    """Gathers cleaned entries in file order, dropping exact duplicates."""

    def __init__(self) -> None:
        self._regions: dict[str, str | None] = {}
        self._organizations: dict[str, dict[str, None]] = {}
        self._plain: dict[str, dict[str, None]] = {"subject": {}, "topic": {}}

    def municipality(self, line: int, name: str | None, region: str | None = None) -> str:
        name = _clean(line, "municipality", name)
        cleaned = _clean(line, "region", region) if region and region.strip() else None
        known = self._regions.get(name)
        if known and cleaned and known != cleaned:
            raise _error(line, f"municipality «{name}» has two regions: «{known}», «{cleaned}»")
        self._regions[name] = known or cleaned
        self._organizations.setdefault(name, {})
        return name

    def organization(self, line: int, place: str, name: str | None, region: str = "") -> None:
        organization = _clean(line, "organization", name)
        if not place or not place.strip():
            raise _error(line, f"organization «{organization}» has no municipality")
        self._organizations[self.municipality(line, place, region)][organization] = None

    def plain(self, line: int, kind: Literal["subject", "topic"], name: str | None) -> None:
        self._plain[kind][_clean(line, kind, name)] = None

    def build(self) -> NetworkList:
        places = (MunicipalityEntry(name, region, tuple(self._organizations[name]))
                  for name, region in self._regions.items())
        subjects, topics = (tuple(self._plain[kind]) for kind in ("subject", "topic"))
        network = NetworkList(tuple(places), subjects, topics)
        if not (network.municipalities or network.subjects or network.topics):
            raise NetworkFileError("the file lists no municipalities, subjects or topics")
        return network


def _clean(line: int, kind: str, value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise _error(line, f"{kind} has an empty name")
    if len(text) > (limit := NAME_LIMITS[kind]):
        raise _error(line, f"{kind} «{text[:40]}…» is {len(text)} characters long; limit {limit}")
    return text


def _error(line: int, message: str) -> NetworkFileError:
    return NetworkFileError(f"line {line}: {message}")


def parse_yaml(text: str) -> NetworkList:
    try:
        root = yaml.compose(text.lstrip("\ufeff"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark, problem = exc.problem_mark or exc.context_mark, exc.problem or exc.context
        raise _error(mark.line + 1 if mark else 1, f"invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise NetworkFileError(f"invalid YAML: {exc}") from exc
    if root is None:
        raise NetworkFileError(f"the YAML file is empty; expected the keys {YAML_KEYS}")
    collector = _Collector()
    for key, node in _mapping(root, "the YAML document", YAML_KEYS):
        for item in _sequence(node, key):
            if key == "municipalities":
                _yaml_municipality(collector, item)
            else:
                collector.plain(_line(item), "subject" if key == "subjects" else "topic",
                                _scalar(item, key[:-1]))
    return collector.build()


def _yaml_municipality(collector: _Collector, node: Node) -> None:
    if isinstance(node, ScalarNode):
        collector.municipality(_line(node), _scalar(node, "municipality"))
        return
    fields = dict(_mapping(node, "a municipality", MUNICIPALITY_KEYS))
    if "name" not in fields:
        raise _error(_line(node), "municipality has no «name»")
    region = fields.get("region")
    name = collector.municipality(
        _line(fields["name"]), _scalar(fields["name"], "municipality"),
        _scalar(region, "region") if region is not None else None,
    )
    for item in _sequence(fields.get("organizations"), "organizations"):
        collector.organization(_line(item), name, _scalar(item, "organization"))


def _mapping(node: Node, what: str, allowed: str) -> Iterator[tuple[str, Node]]:
    if not isinstance(node, MappingNode):
        found = _describe(node)
        raise _error(_line(node), f"{what} must be a mapping with keys {allowed}; found {found}")
    for key_node, value in node.value:
        key = _scalar(key_node, "key")
        if key not in allowed.split(", "):
            raise _error(_line(key_node), f"unknown key «{key}» in {what}; use {allowed}")
        yield key, value


def _sequence(node: Node | None, what: str) -> list[Node]:
    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG):
        return []
    if not isinstance(node, SequenceNode):
        raise _error(_line(node), f"«{what}» must be a list; found {_describe(node)}")
    return list(node.value)


def _scalar(node: Node, what: str) -> str | None:
    if not isinstance(node, ScalarNode):
        raise _error(_line(node), f"{what} must be text; found {_describe(node)}")
    return None if node.tag == _NULL_TAG else str(node.value)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1 if node.start_mark else 0


def _describe(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    return "a mapping" if isinstance(node, MappingNode) else f"«{node.value}»"


def parse_csv(text: str) -> NetworkList:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    collector = _Collector()
    columns: dict[str, int] | None = None
    for row in reader:
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if columns is None:
            columns = _csv_header(reader.line_num, row)
        else:
            _csv_row(collector, reader.line_num, columns, row)
    if columns is None:
        raise NetworkFileError(f"the CSV file is empty; expected the header {CSV_HEADER}")
    return collector.build()


def _delimiter(text: str) -> str:
    lines = (line.strip() for line in text.splitlines())
    header = next((line for line in lines if line and not line.startswith("#")), "")
    return ";" if header.count(";") > header.count(",") else ","


def _csv_header(line: int, row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        column = CSV_COLUMNS.get(cell.strip().casefold())
        if column is None or column in columns:
            problem = "unknown" if column is None else "repeated"
            raise _error(line, f"{problem} column «{cell.strip()}»; the header is {CSV_HEADER}")
        columns[column] = index
    if "kind" not in columns or "name" not in columns:
        raise _error(line, f"the header needs the columns kind and name ({CSV_HEADER})")
    return columns


def _csv_row(collector: _Collector, line: int, columns: dict[str, int], row: list[str]) -> None:
    if any(cell.strip() for cell in row[len(columns):]):
        raise _error(line, f"{len(row)} fields, but the header has {len(columns)}; "
                     "put names that contain the delimiter in double quotes")
    cells = {column: row[index] for column, index in columns.items() if index < len(row)}
    name, place, region = (cells.get(c, "") for c in ("name", "municipality", "region"))
    raw_kind = cells.get("kind", "").strip()
    kind = KINDS.get(raw_kind.casefold())
    if not raw_kind:
        raise _error(line, f"«{' '.join(name.split())}» has no kind")
    if kind is None:
        raise _error(line, f"unknown kind «{raw_kind}»; expected municipality, organization, "
                     "subject or topic (муниципалитет, организация, предмет, тема)")
    if kind == "municipality":
        collector.municipality(line, name, region)
    elif kind == "organization":
        collector.organization(line, place, name, region)
    else:
        collector.plain(line, kind, name)


async def apply_network_list(repo: NetworkRepository, network: NetworkList) -> LoadReport:
    """Adds what is missing; the repository's methods leave existing names alone."""
    before = await repo.counts()
    for entry in network.municipalities:
        municipality = await repo.add_municipality(entry.name, entry.region)
        for organization in entry.organizations:
            await repo.add_organization(municipality.id, organization)
    for subject in network.subjects:
        await repo.add_subject(subject)
    for topic in network.topics:
        await repo.add_topic(topic)
    return _report(network, before, await repo.counts())


def _report(network: NetworkList, before: NetworkCounts, after: NetworkCounts) -> LoadReport:
    def kind(listed: Sized, was: int, now: int) -> KindReport:
        return KindReport(now - was, max(len(listed) - (now - was), 0))

    places = network.municipalities
    return LoadReport(
        kind({m.name.casefold() for m in places}, before.municipalities, after.municipalities),
        kind({(m.name.casefold(), o.casefold()) for m in places for o in m.organizations},
             before.organizations, after.organizations),
        kind({s.casefold() for s in network.subjects}, before.subjects, after.subjects),
        kind({t.casefold() for t in network.topics}, before.topics, after.topics),
    )
