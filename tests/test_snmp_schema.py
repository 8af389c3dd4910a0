"""The flat var-bind schema decodes every value as pysnmp's own schema does."""

from __future__ import annotations

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.entity.engine import SnmpEngine
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.api import v2c

from collectors import snmp_schema
from collectors.snmp_agent import python_value

VALUES = (  # every type SNMPv2 var-binds carry, and the exceptions
    rfc1902.Integer32(-5),
    rfc1902.OctetString(b"Gi0/1\x00\xff"),
    rfc1902.ObjectIdentifier("1.3.6.1.4.1.9.1.516"),
    rfc1902.IpAddress("10.0.0.1"),
    rfc1902.Counter32(4_294_967_295),
    rfc1902.Gauge32(1_000),
    rfc1902.Unsigned32(7),
    rfc1902.TimeTicks(123_456),
    rfc1902.Opaque(b"\x9f\x78\x04\x3f\x80\x00\x00"),
    rfc1902.Counter64(2**64 - 1),
    rfc1902.Bits(b"\x80"),
    rfc1905.unSpecified,
    rfc1905.noSuchObject,
    rfc1905.noSuchInstance,
    rfc1905.endOfMibView,
)


def response(values) -> bytes:
    pdu = v2c.ResponsePDU()
    v2c.apiPDU.set_defaults(pdu)
    oids = (rfc1902.ObjectName(f"1.3.6.1.2.1.2.2.1.2.{i}") for i in range(len(values)))
    v2c.apiPDU.set_varbinds(pdu, list(zip(oids, values, strict=True)))
    msg = v2c.Message()
    v2c.apiMessage.set_defaults(msg)
    v2c.apiMessage.set_community(msg, "public")
    v2c.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def decoded(wire: bytes, spec) -> list[tuple[tuple[int, ...], type, object]]:
    msg, rest = decoder.decode(wire, asn1Spec=spec)
    assert rest == b""
    pairs = v2c.apiPDU.get_varbinds(v2c.apiMessage.get_pdu(msg))
    return [(tuple(oid), type(value), python_value(value)) for oid, value in pairs]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_each_value_decodes_as_pysnmp_decodes_it(value):
    wire = response([value])
    assert decoded(wire, snmp_schema.flattened(v2c.Message())) == decoded(wire, v2c.Message())


def test_a_whole_response_decodes_the_same():
    wire = response(list(VALUES) * 3)
    flat = decoded(wire, snmp_schema.flattened(v2c.Message()))
    assert flat == decoded(wire, v2c.Message()) and len(flat) == len(VALUES) * 3


def var_bind_lists(spec) -> list[type]:
    """The var-bind list types anywhere in a message schema."""
    if isinstance(spec, rfc1905.VarBindList):
        return [type(spec)]
    types = getattr(spec, "componentType", None)
    named = getattr(types, "namedTypes", ())
    return [found for n in named for found in var_bind_lists(n.asn1Object)]


def test_install_changes_only_this_engines_v2c_and_v3_schemas():
    engine, other = SnmpEngine(), SnmpEngine()
    v1 = engine.message_processing_subsystems[0]._snmpMsgSpec
    snmp_schema.install(engine)
    models = engine.message_processing_subsystems
    assert models[0]._snmpMsgSpec is v1  # SNMP v1 var-binds are another type
    for model_id in (1, 3):
        flat = var_bind_lists(models[model_id]._snmpMsgSpec)
        assert flat and set(flat) == {snmp_schema.FlatVarBindList}
        untouched = var_bind_lists(other.message_processing_subsystems[model_id]._snmpMsgSpec)
        assert untouched and snmp_schema.FlatVarBindList not in untouched
