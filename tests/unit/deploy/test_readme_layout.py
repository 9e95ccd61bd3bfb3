"""The README's Layout section against the tree and .importlinter, so that the map cannot fall behind the code."""

from __future__ import annotations

import configparser
import re

import pytest

from infra.package import REPO_ROOT


def _layout() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    return readme.split("\n## Layout\n", 1)[1].split("\n### ", 1)[0]


def _packages_and_modules(folder: str) -> list[str]:
    return sorted(path.stem if path.suffix == ".py" else path.name for path in (REPO_ROOT / folder).iterdir()
                  if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file())


@pytest.mark.parametrize("name", _packages_and_modules("shared"))
def test_every_package_and_module_of_shared_is_placed_in_the_layout(name):
    assert re.search(rf"\b{re.escape(name)}(/|\.py|\b)", _layout()), f"shared/{name} is missing from README's Layout"


@pytest.mark.parametrize("name", _packages_and_modules("functions"))
def test_every_package_of_functions_is_placed_in_the_layout(name):
    assert f"`{name}`" in _layout() or f"functions/{name}" in _layout(), f"functions/{name} is missing from the Layout"


def test_every_layer_of_the_import_contract_is_drawn_in_the_layout():
    contracts = configparser.ConfigParser()
    contracts.read(REPO_ROOT / ".importlinter")
    layers = contracts["importlinter:contract:layers"]["layers"].split()
    modules = [name for name in layers if name not in {"|", ":"}]
    drawn = _layout().split("```")[1]
    for module in modules:
        name = module.rpartition(".")[2]
        assert re.search(rf"\b{name}\b", drawn), f"{module} is not drawn in the layer picture"
