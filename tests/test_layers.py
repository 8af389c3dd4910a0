"""The architecture checker (tests/layers.py) catches each kind of violation: each test builds
a tiny tree holding one and runs the checker on it, next to the same tree without it."""

from pathlib import Path

from tests import layers

CLEAN = {
    "core/__init__.py": "",
    "core/model.py": "VALUE = 1\n",
    "records/__init__.py": "from records.store import Store\n\n__all__ = [\"Store\"]\n",
    "records/store.py": "from core.model import VALUE\n\n\nclass Store:\n    value = VALUE\n",
    "agent/__init__.py": "",
    "agent/child.py": (
        '"""Runs `python -m cli run` in a docstring: prose, not an arrow."""\n\n'
        "import subprocess\nimport sys\n\n\n"
        "def start(message):\n"
        '    subprocess.run([sys.executable, "-m", "agent.child"])\n'
        '    subprocess.run(["git", "commit", "-m", message])\n'
    ),
    "cli/__init__.py": "",
    "cli/main.py": "import importlib\n\n\ndef load():\n"
                   '    return importlib.import_module("agent.child")\n',
}


def tree(root: Path, extra: dict[str, str]) -> Path:
    for name, text in {**CLEAN, **extra}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_clean_tree_passes(tmp_path):
    assert layers.violations(tree(tmp_path, {})) == []


def test_an_upward_import_is_caught(tmp_path):
    root = tree(tmp_path, {"core/model.py": "import records\n\nVALUE = records\n"})
    assert layers.upward(root) == ["core/model.py:1: core must not use records (import)"]


def test_a_sideways_import_is_caught(tmp_path):
    root = tree(tmp_path, {"checks/__init__.py": "from collectors import x\n\nY = x\n",
                           "collectors/__init__.py": "x = 1\n"})
    assert layers.upward(root) == ["checks/__init__.py:1: checks must not use collectors (import)"]


def test_an_import_inside_a_function_counts(tmp_path):
    root = tree(tmp_path, {"records/store.py": "def f():\n    from agent import child\n\n"
                                               "    return child\n"})
    assert layers.upward(root) == ["records/store.py:2: records must not use agent (import)"]


def test_an_import_module_string_pointing_upward_is_caught(tmp_path):
    root = tree(tmp_path, {"core/model.py": 'from importlib import import_module\n\n'
                                            'VALUE = import_module("cli.main")\n'})
    assert layers.upward(root) == ["core/model.py:3: core must not use cli (import_module)"]


def test_a_dash_m_command_pointing_upward_is_caught(tmp_path):
    root = tree(tmp_path, {"agent/child.py": 'import sys\n\nCMD = [sys.executable, "-m", "cli"]\n'
                                             'SHELL = "python3 -m cli.main agent"\n'})
    assert layers.upward(root) == [
        "agent/child.py:3: agent must not use cli (-m)",
        "agent/child.py:4: agent must not use cli (-m)",
    ]


def test_an_import_cycle_is_caught(tmp_path):
    root = tree(tmp_path, {
        "records/schema.py": "from records import tickets_schema\n\nT = tickets_schema\n",
        "records/tickets_schema.py": "from records.schema import T\n\nU = T\n",
    })
    assert layers.cycles(root) == ["import cycle: records.schema -> records.tickets_schema"]


def test_a_cycle_through_a_package_init_is_caught(tmp_path):
    root = tree(tmp_path, {"records/store.py": "from records import Store as S\n\nX = S\n"})
    assert layers.cycles(root) == ["import cycle: records -> records.store"]


def test_an_unused_import_is_caught(tmp_path):
    root = tree(tmp_path, {"core/model.py": "import os\n\nVALUE = 1\n",
                           "records/store.py": "def f():\n    import json\n\n    return 1\n"})
    found = layers.unused_imports(root)
    assert len(found) == 2
    assert any("core/model.py:1:" in line and "`os`" in line for line in found)
    assert any("records/store.py:2:" in line and "`json`" in line for line in found)


def test_an_init_re_exports_only_what_all_declares(tmp_path):
    undeclared = tree(tmp_path / "a", {"records/__init__.py": "from records.store import Store\n"})
    assert len(layers.unused_imports(undeclared)) == 1
    aliased = tree(tmp_path / "b", {"records/__init__.py": "from records.store import Store as "
                                                           "Store\n"})
    assert layers.unused_imports(aliased) == [
        "records/__init__.py:1: re-export of Store not in __all__ (records)"
    ]


def test_a_new_package_is_covered_without_editing_the_checker(tmp_path):
    root = tree(tmp_path, {"plugins/__init__.py": "",
                           "core/model.py": "import plugins\n\nVALUE = plugins\n"})
    assert layers.unplaced(root) == ["package plugins has no place in BENEATH"]
    assert layers.upward(root) == ["core/model.py:1: core must not use plugins (import)"]
