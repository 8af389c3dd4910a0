"""The vendor registry: one source of aliases for inspection and config backup, and one
contract every vendor module meets (the same shape, and recorded outputs under tests/fixtures).
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from pathlib import Path

import pytest
from hier_config import Platform

import vendors
from backup.config import fetch_config, model_for
from collectors.netcli import ASPECT_METRICS, plan_for
from core.errors import CollectError, UserError
from core.model import Target
from tests.test_backup_config_normalise import RECORDINGS as OXIDIZED_SESSIONS
from tests.test_backup_config_normalise import ReplaySession, replay_factory
from vendors import (
    ALIASES,
    VENDORS,
    Facts,
    ParseError,
    PlatformModel,
    Vendor,
    is_error_output,
    vendor_for,
)

FIXTURES = Path(__file__).parent / "fixtures"
# No licensed public recording exists (see shared/testdata README, Gaps).
GAPS = {("huawei", "config")}


def _inspected_by(platform: str) -> Vendor | None:
    plan = plan_for(platform)
    return next((v for v in VENDORS.values() if plan is not None and v.probes is plan), None)


def _backed_up_by(platform: str) -> Vendor | None:
    try:
        model = model_for(platform)
    except UserError:
        return None
    return next(v for v in VENDORS.values() if v.config is model)


@pytest.mark.parametrize("platform", sorted([*VENDORS, *ALIASES, "fortinet"]))
def test_a_platform_names_the_same_vendor_for_inspection_and_config_backup(platform):
    vendor = vendor_for(platform)
    inspected, backed_up = _inspected_by(platform), _backed_up_by(platform)
    assert inspected is (vendor if vendor is not None and vendor.probes else None)
    assert backed_up is (vendor if vendor is not None and vendor.config else None)


def test_every_alias_is_inspected_and_backed_up_like_its_vendor():
    assert ALIASES["hp_comware_telnet"] == "hp_comware"  # once known to config backup only
    for alias, name in ALIASES.items():
        assert plan_for(alias) is plan_for(name)
        assert model_for(alias) is model_for(name)


def test_an_alias_is_not_also_a_vendor_and_belongs_to_one_vendor():
    declared = [alias for vendor in VENDORS.values() for alias in vendor.aliases]
    assert len(declared) == len(set(declared))
    assert not set(declared) & set(VENDORS)


@pytest.mark.parametrize(
    "refusal",
    [
        "% Invalid input detected at '^' marker.",  # Cisco
        "% Unrecognized command found at '^' position.",  # H3C Comware
        "Error: Unrecognized command found at '^' position.",  # Huawei VRP
        "Unrecognized command found at '^' position.",
        "syntax error, expecting <command>.",  # Junos
        "% Unknown command or computer name",
    ],
)
def test_a_refusal_is_a_refusal_to_inspection_and_to_config_backup(refusal):
    assert is_error_output(refusal)
    command = "display current-configuration"
    session = ReplaySession({command: f"{command}\n{refusal}\n<sw1>"})
    with pytest.raises(CollectError, match="was refused"):
        fetch_config(Target(name="sw1", platform="hp_comware"), replay_factory(session))


def _vendor_modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(vendors.__path__):
        module = importlib.import_module(f"vendors.{info.name}")
        if hasattr(module, "VENDOR"):
            found[info.name] = module
    return found


def test_every_vendor_module_is_registered_under_its_own_name():
    modules = _vendor_modules()
    assert set(modules) == set(VENDORS)
    for name, module in modules.items():
        assert module.VENDOR is VENDORS[name]
        assert VENDORS[name].name == name


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_vendor_module_has_the_common_shape(name):
    vendor = VENDORS[name]
    assert isinstance(vendor, Vendor)
    assert vendor.probes or vendor.config, "a vendor offers inspection, config backup or both"
    for probe in vendor.probes:
        assert probe.aspect in ASPECT_METRICS  # a silent probe is reported as not measured
        assert probe.commands
        for command, parser in probe.commands:
            assert command and callable(parser)
            assert parser.__module__ == f"vendors.{name}", "a vendor's parsers live in its module"
    if vendor.config is not None:
        model = vendor.config
        assert isinstance(model, PlatformModel)
        assert model.name == name and model.command and model.pager_off
        assert model.secrets, "every config model masks secrets"
        if model.hier_platform is not None:
            assert model.hier_platform in Platform.__members__


def _recordings(name: str, capability: str) -> list[Path]:
    if capability == "probes":
        return sorted((FIXTURES / "cli" / name).rglob("*.raw"))
    configs = sorted((FIXTURES / "configs" / name).glob("*"))
    sessions = [
        FIXTURES / "configs" / "oxidized" / f"{session}#simulation.yaml"
        for session, (platform, _command) in OXIDIZED_SESSIONS.items()
        if platform == name
    ]
    return configs + sessions


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_vendor_has_recorded_outputs_for_what_it_offers(name):
    vendor = VENDORS[name]
    offered = {"probes": bool(vendor.probes), "config": vendor.config is not None}
    missing = {
        (name, capability)
        for capability, offers in offered.items()
        if offers and not [p for p in _recordings(name, capability) if p.is_file()]
    }
    assert missing <= GAPS


@pytest.mark.parametrize("name", sorted(n for n, v in VENDORS.items() if v.probes))
def test_vendor_parsers_read_any_of_its_recordings_without_crashing(name):
    """A parser handed output it does not know (a new release, another command) says so with
    ParseError or returns facts: anything else would abort the whole device's collection."""
    texts = [path.read_text(encoding="utf-8") for path in _recordings(name, "probes")]
    parsers = {parser for probe in VENDORS[name].probes for _, parser in probe.commands}
    for parser in parsers:
        for text in texts:
            with contextlib.suppress(ParseError):
                assert isinstance(parser(text), Facts)
