"""A check profile of the inventory, built over the built-in profile it refines."""

from __future__ import annotations

from settings.profile_spec import LimitSpec, ProfileSpec, SecuritySpec, port_range
from settings.profiles import (
    BUILT_IN,
    PATROL_THRESHOLDS,
    STANDARD,
    FilesystemRule,
    HardwareRule,
    LogRule,
    PluginRule,
    PortRule,
    ProcessRule,
    Profile,
    SecurityPolicy,
    Thresholds,
)
from settings.thresholds import Range


def build_profile(name: str, spec: ProfileSpec) -> Profile:
    """A user profile overrides the built-in thresholds metric by metric (those of the built-in
    profile of the same name, e.g. `patrol`, else the standard ones); naming an opt-in check's
    metric (PATROL_THRESHOLDS) turns that check on with its defaults."""
    built_in = BUILT_IN.get(name, STANDARD)
    thresholds = dict(built_in.thresholds)
    disabled = set()
    for metric, t in spec.checks.items():
        if not t.enabled:
            disabled.add(metric)
            continue
        base = thresholds.get(metric) or PATROL_THRESHOLDS.get(metric, Thresholds())
        thresholds[metric] = Thresholds(
            warning=Range.parse(t.warning) if t.warning is not None else base.warning,
            critical=Range.parse(t.critical) if t.critical is not None else base.critical,
        )
    processes = tuple(
        ProcessRule(subject=p, name=p)
        if isinstance(p, str)
        else ProcessRule(
            subject=p.subject or p.name or p.cmdline or p.user or "process",
            name=p.name,
            cmdline=p.cmdline,
            user=p.user,
            warning=Range.parse(p.warning) if p.warning is not None else None,
            critical=Range.parse(p.critical),
            cpu_percent=_limits(p.cpu_percent),
            rss_mb=_limits(p.rss_mb),
        )
        for p in spec.processes
    )
    ports = tuple(
        PortRule(port=p) if isinstance(p, int) else PortRule(port=p.port, address=p.address)
        for p in spec.ports
    )
    fs_default = FilesystemRule()
    filesystems = FilesystemRule(
        exclude_types=frozenset(spec.filesystems.exclude_types)
        if spec.filesystems.exclude_types is not None
        else fs_default.exclude_types,
        exclude_mounts=tuple(spec.filesystems.exclude_mounts),
    )
    return Profile(
        name=name,
        thresholds=thresholds,
        disabled=frozenset(disabled),
        processes=processes,
        ports=ports,
        filesystems=filesystems,
        plugins=tuple(
            PluginRule(p.name, tuple(p.command), p.timeout.total_seconds()) for p in spec.plugins
        ),
        logwatch=tuple(
            LogRule(
                subject=rule.subject,
                path=rule.file or "",
                journal=rule.journal or "",
                critical=tuple(rule.critical),
                warning=tuple(rule.warning),
                exclude=tuple(rule.exclude),
                max_bytes=rule.max_bytes,
                max_lines=rule.max_lines,
                from_start=rule.from_start,
            )
            for rule in spec.logwatch
        ),
        hardware=HardwareRule(
            smart=spec.hardware.smart or bool(spec.hardware.smart_devices),
            smart_devices=tuple(spec.hardware.smart_devices),
            raid=spec.hardware.raid,
        )
        if "hardware" in spec.model_fields_set
        else built_in.hardware,
        rate_window=spec.rate_window.total_seconds()
        if "rate_window" in spec.model_fields_set
        else built_in.rate_window,
        # a profile named like a built-in one (patrol) keeps its baseline unless it gives one
        security=_security(spec.security) if spec.security is not None else built_in.security,
        ports_allowed=tuple(sorted(port_range(p) for p in spec.ports_allowed))
        if spec.ports_allowed is not None
        else None,
    )


def _security(spec: SecuritySpec | None) -> SecurityPolicy | None:
    if spec is None:
        return None
    default = SecurityPolicy()
    return SecurityPolicy(
        uid0_allowed=frozenset(spec.uid0_allowed),
        password_max_days=spec.password_max_days,
        sshd_config=spec.sshd_config,
        sshd_expected={k: frozenset(v) for k, v in spec.sshd_expected.items()}
        if spec.sshd_expected is not None
        else default.sshd_expected,
        weak_algorithms=tuple(spec.weak_algorithms)
        if spec.weak_algorithms is not None
        else default.weak_algorithms,
        refresh_updates=spec.refresh_updates,
        mac_required=spec.mac_required,
        first_window=spec.first_window.total_seconds(),
    )


def _limits(spec: LimitSpec | None) -> Thresholds | None:
    if spec is None:
        return None
    return Thresholds(
        warning=Range.parse(spec.warning) if spec.warning is not None else None,
        critical=Range.parse(spec.critical) if spec.critical is not None else None,
    )
