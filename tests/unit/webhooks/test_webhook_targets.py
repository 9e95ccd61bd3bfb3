"""Which URLs a webhook may point at and which addresses a delivery may connect to (API.md: Webhooks; DESIGN.md:
never a loopback, private, link-local or metadata address). In AWS only https to a name or a public address,
without a user or password, at most 2,048 characters; on the local stack loopback alone."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.webhooks.rules import MAX_URL_LENGTH
from shared.webhooks.targets import (
    Target,
    TargetPolicy,
    TargetRefused,
    address_refusal,
    check_addresses,
    parse_address,
    parse_target,
)

PUBLIC, LOOPBACK = TargetPolicy.PUBLIC, TargetPolicy.LOOPBACK
ip = ipaddress.ip_address


def url_of_length(length: int) -> str:
    start = "https://example.com/"
    return start + "a" * (length - len(start))


@pytest.mark.parametrize("url", [
    "http://example.com/",
    "ftp://example.com/",
    "example.com/hook",
    "https://user:pass@example.com/",
    "https://user@example.com/",
    "https://:pass@example.com/",
    "https://10.0.0.1/",
    "https://10.255.255.255/",
    "https://172.16.0.1/",
    "https://172.31.255.255/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://169.254.170.2/v2/credentials",
    "https://169.254.1.1/",
    "https://100.64.0.1/",
    "https://100.127.255.255/",
    "https://127.0.0.1/",
    "https://127.1.2.3:8443/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[fd00:ec2::254]/",
    "https://[fd12:3456::1]/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[::]/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://localhost/",
    "https://LOCALHOST/",
    "https://localhost./",
    "https://foo.localhost/",
    "https:///hook",
    "https://:443/hook",
    "https://example.com:99999/",
    "https://example.com:0/",
    "https://[2002:a9fe:a9fe::]/",
    "https://[2002:7f00:1::]/",
    "https://[2002:a00:1::1]/",
    "https://example.com:port/",
    "https://example.com/a b",
    " https://example.com/",
    "https://example.com/\n",
    "https://exa mple.com/",
    "https://example.com/\x00",
    "https://example.com/\x7f",
])
def test_in_aws_every_refused_form_is_refused_at_parse(url):
    with pytest.raises(TargetRefused):
        parse_target(url, PUBLIC)


def test_a_url_of_2048_characters_is_accepted_and_one_more_refused():
    assert MAX_URL_LENGTH == 2048
    assert len(url_of_length(2048)) == 2048
    assert parse_target(url_of_length(2048), PUBLIC).host == "example.com"
    with pytest.raises(TargetRefused, match="2048"):
        parse_target(url_of_length(2049), PUBLIC)


def test_a_name_and_a_public_address_are_accepted_with_their_path_and_query():
    assert parse_target("https://example.com/hook?x=1", PUBLIC) == Target(
        "https", "example.com", 443, "/hook?x=1", None)
    assert parse_target("https://93.184.216.34/", PUBLIC) == Target(
        "https", "93.184.216.34", 443, "/", ip("93.184.216.34"))
    assert parse_target("https://[2606:2800:220:1:248:1893:25c8:1946]/in", PUBLIC).address == ip(
        "2606:2800:220:1:248:1893:25c8:1946")


def test_the_fragment_is_not_sent_and_a_bare_host_gets_the_root_path():
    assert parse_target("https://Example.COM", PUBLIC).path == "/"
    assert parse_target("https://Example.COM", PUBLIC).host == "example.com"
    assert parse_target("https://example.com/a#frag", PUBLIC).path == "/a"


def test_ports_and_host_headers():
    default = parse_target("https://example.com/hook", PUBLIC)
    assert (default.port, default.host_header) == (443, "example.com")
    explicit_default = parse_target("https://example.com:443/hook", PUBLIC)
    assert (explicit_default.port, explicit_default.host_header) == (443, "example.com")
    other = parse_target("https://example.com:8443/hook", PUBLIC)
    assert (other.port, other.host_header) == (8443, "example.com:8443")
    v6 = parse_target("https://[2606:2800:220:1:248:1893:25c8:1946]:8443/", PUBLIC)
    assert v6.host == "2606:2800:220:1:248:1893:25c8:1946"
    assert v6.host_header == "[2606:2800:220:1:248:1893:25c8:1946]:8443"
    assert parse_target("https://[2606:2800:220:1:248:1893:25c8:1946]/", PUBLIC).host_header == (
        "[2606:2800:220:1:248:1893:25c8:1946]")
    local_http = parse_target("http://localhost/x", LOOPBACK)
    assert (local_http.port, local_http.host_header) == (80, "localhost")
    local_port = parse_target("http://127.0.0.1:8080/x", LOOPBACK)
    assert (local_port.port, local_port.host_header) == (8080, "127.0.0.1:8080")


# -- the addresses a name resolves to, checked again when a delivery is made


def test_in_aws_a_name_resolving_to_loopback_is_refused():
    target = parse_target("https://rebind.example.com/", PUBLIC)
    with pytest.raises(TargetRefused, match="loopback"):
        check_addresses(target, [ip("127.0.0.1")], PUBLIC)


def test_in_aws_a_name_with_one_private_address_among_public_ones_is_refused_as_a_whole():
    target = parse_target("https://mixed.example.com/", PUBLIC)
    with pytest.raises(TargetRefused):
        check_addresses(target, [ip("93.184.216.34"), ip("10.0.0.7")], PUBLIC)
    with pytest.raises(TargetRefused):
        check_addresses(target, [ip("10.0.0.7"), ip("93.184.216.34")], PUBLIC)


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(TargetRefused):
        check_addresses(parse_target("https://nowhere.example.com/", PUBLIC), [], PUBLIC)


def test_in_aws_public_addresses_are_accepted_and_the_first_is_connected_to():
    target = parse_target("https://example.com/", PUBLIC)
    addresses = [ip("93.184.216.34"), ip("2606:2800:220:1:248:1893:25c8:1946"), ip("8.8.8.8")]
    assert check_addresses(target, addresses, PUBLIC) == ip("93.184.216.34")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.0.1", "169.254.169.254",
                                     "169.254.170.2", "100.64.0.1", "0.0.0.0", "::1", "::ffff:127.0.0.1",
                                     "fd00:ec2::254", "fc00::1", "fe80::1", "::", "224.0.0.1", "ff02::1"])
def test_in_aws_a_resolved_private_address_is_refused(address):
    assert address_refusal(ip(address), PUBLIC) is not None
    with pytest.raises(TargetRefused):
        check_addresses(parse_target("https://example.com/", PUBLIC), [ip(address)], PUBLIC)


def test_a_6to4_address_of_a_public_ipv4_address_is_accepted():
    assert address_refusal(ip("2002:5db8:d822::1"), PUBLIC) is None  # 6to4 of 93.184.216.34
    assert "6to4" in address_refusal(ip("2002:a9fe:a9fe::"), PUBLIC)


def test_a_numeric_name_an_address_parser_does_not_read_is_left_to_the_addresses_it_resolves_to():
    # 2130706433 and 0177.0.0.1 are 127.0.0.1 to a resolver: not addresses to ipaddress, so names here, and
    # refused once resolved (at registration, and again on the address a delivery connects to).
    for url in ("https://2130706433/", "https://0177.0.0.1/", "https://0x7f.1/"):
        target = parse_target(url, PUBLIC)
        assert target.address is None
        with pytest.raises(TargetRefused):
            check_addresses(target, [ip("127.0.0.1")], PUBLIC)


def test_the_metadata_address_is_named_as_such():
    assert "metadata" in address_refusal(ip("169.254.169.254"), PUBLIC)
    assert "metadata" in address_refusal(ip("fd00:ec2::254"), PUBLIC)


def test_an_address_as_a_resolver_gives_it_may_carry_a_zone():
    assert parse_address("fe80::1%eth0") == ip("fe80::1")
    assert parse_address("93.184.216.34") == ip("93.184.216.34")
    with pytest.raises(ValueError):
        parse_address("example.com")


@given(st.integers(min_value=0, max_value=2**24 - 1))
def test_any_address_in_10_slash_8_is_refused_in_aws(offset):
    address = ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.0.0.0")) + offset)
    with pytest.raises(TargetRefused):
        parse_target(f"https://{address}/", PUBLIC)
    with pytest.raises(TargetRefused):
        parse_target(f"https://[::ffff:{address}]/", PUBLIC)
    assert address_refusal(address, PUBLIC) is not None


@given(st.integers(min_value=0, max_value=2**24 - 1))
def test_any_loopback_address_is_refused_in_aws_and_accepted_on_the_local_stack(offset):
    address = ipaddress.IPv4Address(int(ipaddress.IPv4Address("127.0.0.0")) + offset)
    with pytest.raises(TargetRefused):
        parse_target(f"https://{address}/", PUBLIC)
    assert parse_target(f"http://{address}:9/", LOOPBACK).address == address


# -- the local stack: loopback alone


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost:9/", "https://localhost:8443/",
                                 "http://[::1]:8080/", "http://LocalHost:9/"])
def test_on_the_local_stack_loopback_targets_are_accepted(url):
    parse_target(url, LOOPBACK)


@pytest.mark.parametrize("url", ["http://example.com/", "https://example.com/", "http://10.0.0.1/",
                                 "http://93.184.216.34/", "http://169.254.169.254/", "http://foo.localhost/",
                                 "ftp://127.0.0.1/", "http://user@127.0.0.1:8080/"])
def test_on_the_local_stack_anything_else_is_refused(url):
    with pytest.raises(TargetRefused):
        parse_target(url, LOOPBACK)


def test_on_the_local_stack_localhost_must_resolve_to_loopback():
    target = parse_target("http://localhost:9/", LOOPBACK)
    assert check_addresses(target, [ip("127.0.0.1")], LOOPBACK) == ip("127.0.0.1")
    assert check_addresses(target, [ip("::1"), ip("127.0.0.1")], LOOPBACK) == ip("::1")
    with pytest.raises(TargetRefused):
        check_addresses(target, [ip("10.0.0.1")], LOOPBACK)
    with pytest.raises(TargetRefused):
        check_addresses(target, [ip("127.0.0.1"), ip("93.184.216.34")], LOOPBACK)
