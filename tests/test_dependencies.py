"""The apps depend one way: cases → volunteers → coordination. A lower app neither
imports a higher one nor reaches it through a relation's model
(`Team.cases.rel.related_model`): what a page needs from a higher app lives there."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["coordination", "volunteers", "cases"]  # each may import those before it
# The project's wiring names every app: the root URLconf and the settings.
WIRING = {Path("coordination/urls.py"), Path("coordination/settings.py")}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            # apps.get_model("cases", "Case") would hide the same dependency.
            names.add(str(node.args[0].value).split(".")[0])
    return {name.split(".")[0] for name in names} & set(LAYERS)


def sources(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path.relative_to(ROOT) not in WIRING
    ]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - allowed)
        for path in sources(app)
        if imported_apps(path) - allowed
    }
    assert wrong == {}


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_reaches_a_model_through_a_relation_to_dodge_an_import(app):
    assert [
        str(p.relative_to(ROOT)) for p in sources(app) if "rel.related_model" in p.read_text()
    ] == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The test above fails when it should: a lower app importing a higher one."""
    module = tmp_path / "bad.py"
    module.write_text("from cases.models import Case\nimport volunteers.views\n")
    assert imported_apps(module) == {"cases", "volunteers"}
