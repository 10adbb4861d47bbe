"""Reading the network's reference lists from YAML and CSV, and loading them into the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.network_file import (
    KindReport,
    MunicipalityEntry,
    NetworkFileError,
    NetworkList,
    apply_network_list,
    parse_csv,
    parse_network_file,
    parse_yaml,
)
from storage.db import Database

DEMO = Path(__file__).resolve().parents[1] / "bot" / "demo_network.yaml"

YAML_TEXT = """\
municipalities:
  - name: Нижнетагильский городской округ
    region: Свердловская область
    organizations:
      - МАОУ «Политехническая гимназия»
      - "  МБОУ  «СОШ № 161» "
      - МАОУ «Политехническая гимназия»
  - name: Миллеровский район
subjects: [Математика, Русский язык, Математика]
topics: [Функциональная грамотность]
"""

CSV_TEXT = """\
kind,name,municipality,region
municipality,Нижнетагильский городской округ,,Свердловская область
organization,МАОУ «Политехническая гимназия»,Нижнетагильский городской округ,
organization,"МБОУ «СОШ № 161», г. Зеленогорск",Зеленогорск,Красноярский край

subject,Математика,,
subject, Математика ,,
topic,Функциональная грамотность,,
"""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    await database.migrate()
    yield database
    await database.close()


def test_yaml_is_read_stripped_and_without_duplicates() -> None:
    network = parse_yaml(YAML_TEXT)

    assert network == NetworkList(
        municipalities=(
            MunicipalityEntry(
                "Нижнетагильский городской округ", "Свердловская область",
                ("МАОУ «Политехническая гимназия»", "МБОУ «СОШ № 161»"),
            ),
            MunicipalityEntry("Миллеровский район", None, ()),
        ),
        subjects=("Математика", "Русский язык"),
        topics=("Функциональная грамотность",),
    )


def test_csv_with_commas_creates_municipalities_named_by_organizations() -> None:
    network = parse_csv(CSV_TEXT)

    assert network.municipalities == (
        MunicipalityEntry(
            "Нижнетагильский городской округ", "Свердловская область",
            ("МАОУ «Политехническая гимназия»",),
        ),
        MunicipalityEntry(
            "Зеленогорск", "Красноярский край", ("МБОУ «СОШ № 161», г. Зеленогорск",),
        ),
    )
    assert network.subjects == ("Математика",)
    assert network.topics == ("Функциональная грамотность",)


def test_csv_with_semicolons_russian_kinds_and_bom() -> None:
    text = (
        "\ufeffkind;name;municipality;region\r\n"
        "Муниципалитет;Миллеровский район;;Ростовская область\r\n"
        "организация;МБОУ «СОШ № 1, г. Миллерово»;Миллеровский район;\r\n"
        "ПРЕДМЕТ;Русский язык;;\r\n"
        "тема;Наставничество;;\r\n"
    )

    network = parse_csv(text)

    assert network == NetworkList(
        (MunicipalityEntry("Миллеровский район", "Ростовская область",
                           ("МБОУ «СОШ № 1, г. Миллерово»",)),),
        ("Русский язык",),
        ("Наставничество",),
    )


def test_files_are_chosen_by_extension(tmp_path: Path) -> None:
    (tmp_path / "net.yml").write_text(YAML_TEXT, encoding="utf-8")
    (tmp_path / "net.CSV").write_text("\ufeff" + CSV_TEXT, encoding="utf-8")
    (tmp_path / "net.txt").write_text(CSV_TEXT, encoding="utf-8")

    assert parse_network_file(tmp_path / "net.yml") == parse_yaml(YAML_TEXT)
    assert parse_network_file(tmp_path / "net.CSV") == parse_csv(CSV_TEXT)
    with pytest.raises(NetworkFileError, match=r"net\.txt: unsupported extension \.txt"):
        parse_network_file(tmp_path / "net.txt")
    with pytest.raises(NetworkFileError, match="cannot read the file"):
        parse_network_file(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("organization,МАОУ «СОШ № 5»,,",
         "line 3: organization «МАОУ «СОШ № 5»» has no municipality"),
        ("school,МАОУ «СОШ № 5»,Город,", "line 3: unknown kind «school»"),
        (",МАОУ «СОШ № 5»,Город,", "line 3: «МАОУ «СОШ № 5»» has no kind"),
        ("subject,  ,,", "line 3: subject has an empty name"),
        ("subject," + "М" * 101 + ",,", "line 3: subject «М+…» is 101 characters long; limit 100"),
        ("topic," + "т" * 201 + ",,", "line 3: topic «т+…» is 201 characters long; limit 200"),
        ("municipality," + "м" * 201 + ",,", "line 3: municipality .* limit 200"),
        ("organization," + "о" * 301 + ",Город,", "line 3: organization .* limit 300"),
        ("organization,МАОУ «СОШ № 5», г. Город,Город,Уральская область",
         "line 3: 5 fields, but the header has 4"),
        ("municipality,Город,,Другая область", "line 3: municipality «Город» has two regions"),
    ],
)
def test_bad_csv_rows_name_the_line(row: str, message: str) -> None:
    text = f"kind,name,municipality,region\nmunicipality,Город,,Уральская область\n{row}\n"

    with pytest.raises(NetworkFileError, match=message):
        parse_csv(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the CSV file is empty"),
        ("type,name\nsubject,Математика\n", "line 1: unknown column «type»"),
        ("name,region\nМатематика,\n", "line 1: the header needs the columns kind and name"),
        ("kind,name\n", "the file lists no municipalities, subjects or topics"),
    ],
)
def test_bad_csv_files(text: str, message: str) -> None:
    with pytest.raises(NetworkFileError, match=message):
        parse_csv(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the YAML file is empty"),
        ("- Математика\n- Физика\n", "line 1: the YAML document must be a mapping .* found a list"),
        ("subjects: [Математика]\nschools: [Лицей]\n", "line 2: unknown key «schools»"),
        ("subjects: Математика\n", "line 1: «subjects» must be a list; found «Математика»"),
        ("topics:\n  - Наставничество\n  - [a, b]\n", "line 3: topic must be text; found a list"),
        ("subjects:\n  - Математика\n  -\n", "line 3: subject has an empty name"),
        ("municipalities:\n  - region: Уральская область\n", "line 2: municipality has no «name»"),
        ("municipalities:\n  - name: Город\n    organizations:\n      - Лицей\n      - \"\"\n",
         "line 5: organization has an empty name"),
        ("municipalities:\n  - name: Город\n    schools: []\n", "line 3: unknown key «schools»"),
        ("subjects: [Математика\n", r"line \d+: invalid YAML"),
    ],
)
def test_bad_yaml_names_the_line(text: str, message: str) -> None:
    with pytest.raises(NetworkFileError, match=message):
        parse_yaml(text)


def test_demo_network_is_complete() -> None:
    network = parse_network_file(DEMO)

    assert len(network.municipalities) >= 4
    assert network.organization_count == 12
    assert len(network.subjects) == 15
    assert 10 <= len(network.topics) <= 12
    assert all(len(topic) <= 60 for topic in network.topics)
    assert {"Математика", "Русский язык", "Начальные классы"} <= set(network.subjects)
    assert len({m.region for m in network.municipalities}) == 1


async def test_applying_creates_rows_and_a_second_time_adds_nothing(db: Database) -> None:
    network = parse_network_file(DEMO)

    async with db.transaction() as repos:
        first = await apply_network_list(repos.network, network)
    async with db.transaction() as repos:
        second = await apply_network_list(repos.network, network)
        counts = await repos.network.counts()
        subjects = [s.name for s in await repos.network.subjects()]
        place = (await repos.network.municipalities())[0]
        schools = [o.name for o in await repos.network.organizations_in(place.id)]

    assert first.municipalities == KindReport(added=len(network.municipalities), present=0)
    assert first.organizations == KindReport(added=12, present=0)
    assert first.subjects == KindReport(added=15, present=0)
    assert first.topics == KindReport(added=len(network.topics), present=0)
    assert second.added == 0
    assert second.organizations == KindReport(added=0, present=12)
    assert second.topics == KindReport(added=0, present=len(network.topics))
    assert (counts.municipalities, counts.organizations, counts.subjects, counts.topics) == (
        len(network.municipalities), 12, 15, len(network.topics),
    )
    assert "Физическая культура" in subjects
    entry = next(m for m in network.municipalities if m.name == place.name)
    assert sorted(schools) == sorted(entry.organizations)


async def test_applying_reports_what_was_already_there(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.network.add_subject("математика")
        await repos.network.add_topic("Наставничество")
        report = await apply_network_list(repos.network, parse_yaml(YAML_TEXT))

    assert report.subjects == KindReport(added=1, present=1)
    assert report.topics == KindReport(added=1, present=0)
    assert report.municipalities == KindReport(added=2, present=0)
    assert report.organizations == KindReport(added=2, present=0)
