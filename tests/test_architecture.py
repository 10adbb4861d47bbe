"""House rules: handlers and storage stay platform-neutral; SQL stays in storage."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSENGER_LIBRARIES = {"aiogram", "vk_api"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_messenger_library_in_handlers_storage_or_core() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & MESSENGER_LIBRARIES)
        for folder in ("handlers", "storage", "bot/core")
        for path in (ROOT / folder).rglob("*.py")
        if _imports(path) & MESSENGER_LIBRARIES
    }
    assert offenders == {}


def test_no_sqlalchemy_outside_storage_and_wiring() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("handlers", "bot/core")
        for path in (ROOT / folder).rglob("*.py")
        if "sqlalchemy" in _imports(path)
    ]
    assert offenders == []
