"""A flatter schema for the responses pysnmp decodes: same protocol, fewer objects per value.

pysnmp decodes every message with pyasn1 against its message schema, where a var-bind's value
is a CHOICE (value, noSuchObject, ...) of a CHOICE (simple, application-wide) of a CHOICE
(Integer, OCTET STRING, ...): pyasn1 builds and fills three CHOICE objects around every value,
and decoding is most of a poll's CPU (bench/snmp_patrol_poll.py). The flat CHOICE here has the
same leaf types (so the same tags and the same Python classes come out) in one level.

Only each engine's copy of the v2c and v3 message schema is replaced (SNMP v1 has its own
var-binds); pysnmp still encodes, decodes, authenticates and decrypts every message.
"""

from __future__ import annotations

from typing import Any

from pyasn1.type import namedtype, univ
from pysnmp.proto import rfc1905


def _leaves(choice: univ.Choice) -> list[namedtype.NamedType]:
    """The non-CHOICE alternatives under a CHOICE, nested CHOICEs opened up."""
    found = []
    for named in choice.componentType.namedTypes:
        if isinstance(named.asn1Object, univ.Choice):
            found.extend(_leaves(named.asn1Object))
        else:
            found.append(named)
    return found


_BIND_VALUE = rfc1905.VarBind.componentType[1].asn1Object


class FlatValue(univ.Choice):
    """Every value a var-bind can carry, one CHOICE deep."""

    componentType = namedtype.NamedTypes(*_leaves(_BIND_VALUE))


class FlatVarBind(rfc1905.VarBind):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("name", rfc1905.VarBind.componentType[0].asn1Object),
        namedtype.NamedType("", FlatValue()),
    )


class FlatVarBindList(rfc1905.VarBindList):
    componentType = FlatVarBind()


def flattened(spec: Any) -> Any:
    """`spec` with every var-bind list in it replaced by the flat one (a copy; the same
    classes and tags, so pysnmp's checks see no difference)."""
    if isinstance(spec, rfc1905.VarBindList):
        return FlatVarBindList()
    if not isinstance(spec, univ.Sequence | univ.Choice) or not spec.componentType:
        return spec
    named = spec.componentType.namedTypes
    inner = [flattened(n.asn1Object) for n in named]
    if all(new is n.asn1Object for new, n in zip(inner, named, strict=True)):
        return spec
    types = [type(n)(n.name, new) for n, new in zip(named, inner, strict=True)]
    return spec.clone(componentType=namedtype.NamedTypes(*types))


def install(engine: Any) -> None:
    """Decode the engine's v2c and v3 responses with the flat var-binds."""
    for model in engine.message_processing_subsystems.values():
        model._snmpMsgSpec = flattened(model._snmpMsgSpec)  # this engine's copy only
