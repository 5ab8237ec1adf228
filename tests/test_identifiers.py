"""Identifier validators and extraction: property tests with valid values and near-miss invalid ones (one
character changed), phone formats from PH, FR, UK and US, keyword-bound transfer numbers, wallets, amounts."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.identifiers import checksums
from winnow.identifiers.extract import extract, from_entity


def _kinds(text: str, regions: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    return {(f.kind, f.value) for f in extract(text, regions)}


def _mutate(text: str, index: int, alphabet: str) -> str:
    position = 1 + index % (len(text) - 1)
    replacement = next(c for c in alphabet if c != text[position])
    return text[:position] + replacement + text[position + 1:]


payloads = st.binary(min_size=20, max_size=20)


@settings(max_examples=60, deadline=None)
@given(payloads, st.sampled_from([0x00, 0x05]), st.integers(min_value=0, max_value=100))
def test_bitcoin_base58check(payload: bytes, version: int, where: int) -> None:
    address = checksums.b58encode_check(bytes([version]) + payload)
    assert ("btc", address) in _kinds(f"pay to {address} please")
    broken = _mutate(address, where, checksums.B58)
    assert ("btc", broken) not in _kinds(f"pay to {broken} please")


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=20, max_size=32), st.integers(min_value=0, max_value=100))
def test_bitcoin_bech32_and_bech32m(program: bytes, where: int) -> None:
    version, variant = (0, "bech32") if len(program) in (20, 32) and program[0] % 2 else (1, "bech32m")
    if version == 1 and len(program) != 32:
        program = hashlib.sha256(program).digest()
    address = checksums.bech32_encode("bc", [version] + checksums.convertbits(list(program), 8, 5), variant)
    assert ("btc", address) in _kinds(address)
    broken = _mutate(address, where + 3, checksums.BECH32)
    assert not any(kind == "btc" for kind, _ in _kinds(broken))
    wrong_variant = checksums.bech32_encode("bc", [version] + checksums.convertbits(list(program), 8, 5),
                                            "bech32m" if variant == "bech32" else "bech32")
    assert checksums.btc_address(wrong_variant) is None  # BIP-350: v0 must be bech32, v1+ bech32m


@settings(max_examples=60, deadline=None)
@given(payloads, st.integers(min_value=0, max_value=100))
def test_ethereum_eip55(payload: bytes, where: int) -> None:
    address = checksums.eip55(payload.hex())
    found = extract(f"usdt erc20: {address}")
    assert [(f.kind, f.value, f.note) for f in found] == [("eth", address.lower(), "checksummed")]
    letters = [i for i, c in enumerate(address[2:], 2) if c.isalpha()]
    if len(letters) >= 2:
        i = letters[where % len(letters)]
        flipped = address[:i] + address[i].swapcase() + address[i + 1:]
        if flipped[2:].lower() != flipped[2:] and flipped[2:].upper() != flipped[2:]:
            assert not extract(flipped)  # a bad mixed-case checksum is no address
    if address.lower() != address:
        assert extract(address.lower())[0].note == "unchecksummed"


@settings(max_examples=60, deadline=None)
@given(payloads, st.integers(min_value=0, max_value=100))
def test_tron(payload: bytes, where: int) -> None:
    address = checksums.b58encode_check(b"\x41" + payload)
    assert address.startswith("T") and ("tron", address) in _kinds(address)
    broken = _mutate(address, where, checksums.B58)
    assert ("tron", broken) not in _kinds(broken)


def test_known_vectors() -> None:
    assert checksums.btc_address("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") == "p2pkh"
    assert checksums.btc_address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") == "segwit-v0"
    assert checksums.btc_address("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0") == "taproot"
    assert checksums.eth_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == "checksummed"
    assert checksums.tron_address("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")


@pytest.mark.parametrize("text,regions,expected", [
    ("txt me 0917 123 4567", ("PH",), "+639171234567"),
    ("txt me +63 917-123-4567", (), "+639171234567"),
    ("appelle au 06 12 34 56 78", ("FR",), "+33612345678"),
    ("ou +33 (0)6 12 34 56 78", (), "+33612345678"),
    ("ring 07911 123456", ("GB",), "+447911123456"),
    ("ring +44 7911 123456", (), "+447911123456"),
    ("call (415) 555-2671", ("US",), "+14155552671"),
    ("call +1 415-555-2671", (), "+14155552671"),
])
def test_phone_formats(text: str, regions: tuple[str, ...], expected: str) -> None:
    assert ("phone", expected) in _kinds(text, regions)


def test_national_numbers_need_a_region_and_invalid_numbers_are_not_phones() -> None:
    assert not _kinds("txt me 0917 123 4567")
    assert not any(k == "phone" for k, _ in _kinds("+63 917 123", ("PH",)))


def test_transfer_numbers_only_next_to_a_keyword() -> None:
    assert ("mtcn", "1234567890") in _kinds("Western Union sent, MTCN 123-456-7890")
    assert not any(k == "mtcn" for k, _ in _kinds("order number 1234567890 shipped"))
    assert ("moneygram", "87654321") in _kinds("moneygram ref no 87654321")
    assert not any(k == "moneygram" for k, _ in _kinds("code 87654321"))


def test_wallets_handles_urls_emails_amounts_dates_iban() -> None:
    found = _kinds("gcash 09171234567, maya 0918 765 4321 @rosa.ph rosa@example.org wa.me/639171234567 "
                   "https://www.instagram.com/rosa.ph/ 1,500 pesos on 2025-03-01 IBAN GB33 BUKB 2020 1555 5555 55",
                   ("PH",))
    assert {("wallet", "gcash:+639171234567"), ("wallet", "maya:+639187654321"), ("handle", "@rosa.ph"),
            ("email", "rosa@example.org"), ("phone", "+639171234567"), ("handle", "instagram:@rosa.ph"),
            ("date", "2025-03-01"), ("iban", "GB33BUKB20201555555555")} <= found
    assert ("iban", "GB34BUKB20201555555555") not in _kinds("GB34 BUKB 2020 1555 5555 55")  # bad check digits
    assert ("amount", "25.00 EUR") in _kinds("sent 25 EUR") and ("amount", "500.00 PHP") in _kinds("₱500")
    assert from_entity("bank_card", "4111 1111 1111 1111").confidence == 0.9  # type: ignore[union-attr]
    assert from_entity("account", "639171234567@s.whatsapp.net").value == "+639171234567"  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([("DE", "37040044", 10), ("FR", "2004101005", 11), ("NL", "ABNA", 10),
                        ("GB", "NWBK601613", 8), ("ES", "21000418", 10)]),
       st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=100))
def test_iban_valid_and_near_miss(country: tuple[str, str, int], seed: int, where: int) -> None:
    from schwifty import IBAN

    code, bank, account_len = country
    account = f"{seed:024d}"[-account_len:]
    iban = str(IBAN.generate(code, bank_code=bank, account_code=account).compact)
    spaced = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    assert ("iban", iban) in _kinds(f"IBAN {spaced} merci")
    digits = [i for i in range(4, len(iban)) if iban[i].isdigit()]
    i = digits[where % len(digits)]
    broken = iban[:i] + str((int(iban[i]) + 1) % 10) + iban[i + 1:]
    assert not any(k == "iban" for k, _ in _kinds(broken))  # one digit changed: the check digits fail
