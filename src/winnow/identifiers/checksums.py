"""Checksummed identifier formats, validated offline: Bitcoin base58check (P2PKH/P2SH) and bech32/bech32m
(BIP-173/BIP-350 segwit), Ethereum EIP-55 mixed-case checksums (Keccak-256), TRON base58check (`T...`)."""

from __future__ import annotations

import hashlib

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B58_INDEX = {c: i for i, c in enumerate(B58)}
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST, BECH32M_CONST = 1, 0x2BC830A3


def base58check(text: str) -> bytes | None:
    """The payload (version byte + data) of a valid base58check string, else None."""
    number = 0
    for char in text:
        if char not in B58_INDEX:
            return None
        number = number * 58 + B58_INDEX[char]
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(text) - len(text.lstrip("1"))) + raw
    if len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def b58encode_check(payload: bytes) -> str:
    """Inverse of base58check (used by the test generators)."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = B58[rem] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_decode(text: str) -> tuple[str, list[int], str] | None:
    """(human-readable part, data without checksum, 'bech32' | 'bech32m') or None."""
    if text.lower() != text and text.upper() != text:
        return None
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        return None
    hrp, data_part = text[:pos], text[pos + 1:]
    if any(c not in BECH32 for c in data_part):
        return None
    data = [BECH32.index(c) for c in data_part]
    const = _polymod(_hrp_expand(hrp) + data)
    variant = "bech32" if const == BECH32_CONST else "bech32m" if const == BECH32M_CONST else None
    if variant is None:
        return None
    return hrp, data[:-6], variant


def bech32_encode(hrp: str, data: list[int], variant: str = "bech32") -> str:
    const = BECH32_CONST if variant == "bech32" else BECH32M_CONST
    values = _hrp_expand(hrp) + data
    polymod = _polymod(values + [0] * 6) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


def convertbits(data: list[int], frombits: int, tobits: int, pad: bool = True) -> list[int] | None:
    acc = bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or ((acc << (tobits - bits)) & maxv)):
        return None
    return out


def btc_address(text: str) -> str | None:
    """'p2pkh' | 'p2sh' | 'segwit-v0' | 'taproot' | 'segwit-vN' for a valid mainnet Bitcoin address, else None."""
    if text[:3].lower() == "bc1":
        decoded = bech32_decode(text)
        if not decoded or decoded[0] != "bc" or not decoded[1]:
            return None
        _, data, variant = decoded
        version, program = data[0], convertbits(data[1:], 5, 8, False)
        if program is None or not 2 <= len(program) <= 40 or version > 16:
            return None
        if version == 0:
            return "segwit-v0" if variant == "bech32" and len(program) in (20, 32) else None
        if variant != "bech32m":
            return None
        return "taproot" if version == 1 and len(program) == 32 else f"segwit-v{version}"
    if text[:1] in ("1", "3") and 25 <= len(text) <= 35:
        payload = base58check(text)
        if payload is None or len(payload) != 21:
            return None
        return {0x00: "p2pkh", 0x05: "p2sh"}.get(payload[0])
    return None


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    digest = keccak.new(digest_bits=256)
    digest.update(data)
    return digest.digest()


def eip55(address_hex: str) -> str:
    """The EIP-55 checksummed form of 40 hex digits."""
    lower = address_hex.lower()
    hashed = keccak256(lower.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(hashed[i], 16) >= 8 else c for i, c in enumerate(lower))


def eth_address(text: str) -> str | None:
    """'checksummed' (valid EIP-55 mixed case), 'unchecksummed' (all one case), or None (bad checksum/shape)."""
    if len(text) != 42 or not text.startswith(("0x", "0X")):
        return None
    body = text[2:]
    if any(c not in "0123456789abcdefABCDEF" for c in body):
        return None
    if eip55(body) == "0x" + body:
        return "checksummed"
    return "unchecksummed" if body.lower() == body or body.upper() == body else None


def tron_address(text: str) -> bool:
    if len(text) != 34 or not text.startswith("T"):
        return False
    payload = base58check(text)
    return payload is not None and len(payload) == 21 and payload[0] == 0x41
