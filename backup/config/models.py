"""Config backup's view of the vendor registry: which platforms have a backup model."""

from __future__ import annotations

from core.errors import UserError
from core.phrases import phrase
from vendors import VENDORS, PlatformModel, platforms, vendor_for

# The vendors that have a config-backup model, keyed by netmiko device_type.
MODELS: dict[str, PlatformModel] = {
    name: vendor.config for name, vendor in VENDORS.items() if vendor.config is not None
}


def model_for(platform: str) -> PlatformModel:
    """The model for a target's `platform` (aliases resolved by the registry)."""
    vendor = vendor_for(platform)
    if vendor is None or vendor.config is None:
        known = ", ".join(platforms(lambda each: each.config))
        raise UserError(
            phrase(
                "no config backup model for platform {platform} (known: {known})",
                platform=repr(platform),
                known=known,
            )
        )
    return vendor.config
