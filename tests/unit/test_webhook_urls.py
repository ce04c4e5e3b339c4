"""Where a webhook may point: https on public addresses only, checked after DNS resolution."""

from __future__ import annotations

import pytest

from chalicelib.domain.webhook_urls import UnsafeUrl, check_registration, parse, resolve


def resolving_to(*addresses: str):
    def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


def no_address(host: str, port: int) -> list[str]:
    raise OSError("no such host")


PUBLIC = resolving_to("93.184.216.34")


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00:ec2::254]/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[64:ff9b::a00:1]/hook",
        "https://[2002:a9fe:a9fe::]/hook",  # 6to4 of 169.254.169.254
        "https://[2002:7f00:1::]/hook",
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
        "https://[::ffff:0:7f00:1]/hook",  # IPv4-translated
        "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
        "https://[fe80::1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="private"):
        check_registration(url, allow_local=False, resolver=PUBLIC)


@pytest.mark.parametrize(
    "addresses",
    [("10.1.2.3",), ("93.184.216.34", "192.168.1.1"), ("169.254.169.254",), ("fd00:ec2::254",), ("::1",)],
)
def test_a_name_resolving_to_any_private_address_is_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(UnsafeUrl, match="private"):
        check_registration("https://hooks.example.com/in", allow_local=False, resolver=resolving_to(*addresses))


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",
        "ftp://hooks.example.com/in",
        "https://user:pw@hooks.example.com/",
        "nope",
        "https://hooks.example.com:0/in",  # not silently the default port
        "https://hooks.example.com:65536/in",
    ],
)
def test_only_https_without_credentials(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_registration(url, allow_local=False, resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/o\nk",  # urlsplit drops it: /ok would be called
        "https://hooks.exam\tple.com/in",
        " https://hooks.example.com/in",
        "https://hooks.example.com/in ",  # sent as /in%20
        "https://hooks.example.com/caf\u00e9",
        "https://b\u00fccher.example/in",
    ],
)
def test_a_url_is_refused_unless_written_as_it_is_sent(url: str) -> None:
    with pytest.raises(UnsafeUrl, match="ASCII without spaces"):
        check_registration(url, allow_local=False, resolver=PUBLIC)


def test_percent_encoded_and_punycode_forms_are_accepted() -> None:
    check_registration("https://xn--bcher-kva.example/caf%C3%A9?a=b%20c", allow_local=False, resolver=PUBLIC)


def test_a_public_https_url_is_accepted_and_its_checked_address_is_the_one_to_connect_to() -> None:
    check_registration("https://hooks.example.com:8443/in?x=1", allow_local=False, resolver=PUBLIC)
    target = parse("https://hooks.example.com:8443/in?x=1", allow_local=False)
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?x=1")
    assert resolve(target, allow_local=False, resolver=PUBLIC) == "93.184.216.34"


@pytest.mark.parametrize(
    "address", ["2606:4700::1111", "2002:5db8:d822::1", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]
)
def test_an_ipv6_address_is_accepted_when_it_is_public_or_carries_a_public_ipv4(address: str) -> None:
    check_registration(f"https://[{address}]/in", allow_local=False, resolver=PUBLIC)


def test_a_name_that_does_not_resolve_yet_is_accepted_at_registration_but_not_sent_to() -> None:
    check_registration("https://later.example.com/in", allow_local=False, resolver=no_address)
    with pytest.raises(UnsafeUrl, match="resolve"):
        resolve(parse("https://later.example.com/in", allow_local=False), allow_local=False, resolver=no_address)


def test_the_local_stage_also_allows_http_on_the_loopback_names_only() -> None:
    loopback = resolving_to("127.0.0.1")
    check_registration("http://127.0.0.1:9000/hook", allow_local=True, resolver=loopback)
    check_registration("http://localhost:9000/hook", allow_local=True, resolver=loopback)
    with pytest.raises(UnsafeUrl):
        check_registration("http://127.0.0.1:9000/hook", allow_local=False, resolver=loopback)
    with pytest.raises(UnsafeUrl, match="private"):
        check_registration("https://sneaky.example.com/", allow_local=True, resolver=loopback)
    with pytest.raises(UnsafeUrl, match="private"):
        check_registration("http://localhost:9000/hook", allow_local=True, resolver=resolving_to("10.0.0.5"))
