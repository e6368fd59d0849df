"""The data files shipped inside the package (``kg/data/``), read with :mod:`importlib.resources`
so that they are found wherever the package is installed.

>>> data_file("actors.json").name
'actors.json'
>>> "actors" in data_json("actors.json")
True
"""
from __future__ import annotations

import importlib.resources
import json
from importlib.resources.abc import Traversable


def data_file(name: str) -> Traversable:
    """The shipped data file ``kg/data/<name>``."""
    return importlib.resources.files("kg") / "data" / name


def data_json(name: str):
    """The parsed content of the shipped JSON file ``kg/data/<name>``."""
    return json.loads(data_file(name).read_text(encoding="utf-8"))
