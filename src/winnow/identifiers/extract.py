"""Identifiers in free text — chat messages, payment references, OCR'd screens — each validated, normalised and
given a confidence:

- phone numbers: E.164 via phonenumbers (international form anywhere; national forms in the regions given), with
  their type (mobile numbers score higher);
- e-mail addresses, URLs (wa.me/NUMBER gives a phone, t.me/NAME and profile links give handles), @handles;
- IBANs (schwifty: country format and check digits);
- Western Union MTCN (10 digits) and MoneyGram reference numbers (8 digits), only next to a keyword;
- GCash / Maya wallets: Philippine mobile numbers next to a wallet word;
- crypto addresses with their checksums: Bitcoin base58check and bech32/bech32m, Ethereum EIP-55, TRON;
- amounts with a currency, and dates.

Speed: one cheap test first (no digit, `@`, `/` or 25-letter token means nothing to find), then one combined
pattern; the phone library only sees digit runs that look like numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from winnow.identifiers import checksums

MTCN_WORDS = ("mtcn", "western union", "westernunion", "wu ", "w.u.", "control number", "control no",
              "tracking number", "tracking no")
MONEYGRAM_WORDS = ("moneygram", "money gram", "mgram", "reference number", "reference no", "ref no", "ref#",
                   "ref #", "ref:", "reference #")
WALLET_WORDS = ("gcash", "g-cash", "maya", "paymaya", "coins.ph", "palawan")
CURRENCIES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "usd": "USD", "dollar": "USD",
              "dollars": "USD", "£": "GBP", "gbp": "GBP", "₱": "PHP", "php": "PHP", "peso": "PHP", "pesos": "PHP",
              "p": "PHP", "aud": "AUD", "a$": "AUD", "usdt": "USDT", "btc": "BTC", "eth": "ETH"}
HANDLE_SITES = {"t.me": "telegram", "telegram.me": "telegram", "instagram.com": "instagram", "x.com": "x",
                "twitter.com": "x", "tiktok.com": "tiktok", "snapchat.com/add": "snapchat", "facebook.com": "facebook",
                "fb.com": "facebook", "m.me": "messenger", "onlyfans.com": "onlyfans", "paypal.me": "paypal"}

PREFILTER = re.compile(r"[\d@/]|[A-Za-z]{25}")  # digits, @, / or a long token (an address)
_CUR = r"(?:EUR|USD|PHP|GBP|AUD|USDT|BTC|ETH|€|\$|£|₱)"
_CUR_AFTER = r"(?:EUR|USD|PHP|GBP|AUD|USDT|BTC|ETH|euros?|dollars?|pesos?|eur|usd|php|gbp|€|£|₱)"
PATTERN = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})"
    r"|(?P<url>(?:https?://|www\.)[^\s<>\"']+|\b(?:t\.me|telegram\.me|wa\.me|m\.me|instagram\.com|facebook\.com|"
    r"fb\.com|paypal\.me|x\.com|twitter\.com|tiktok\.com|snapchat\.com/add|onlyfans\.com)/[^\s<>\"']+)"
    r"|(?P<handle>(?<![\w@/])@[A-Za-z0-9_][A-Za-z0-9_.]{2,31})"
    r"|(?P<eth>\b0[xX][0-9a-fA-F]{40}\b)"
    r"|(?P<bech>\b(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71}\b)"
    r"|(?P<b58>\b[13T][1-9A-HJ-NP-Za-km-z]{24,34}\b)"
    r"|(?P<iban>\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)"
    r"|(?P<date>\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b)"
    rf"|(?P<amount>(?<![\w.]){_CUR} ?\d{{1,7}}(?:[.,]\d{{1,2}})?\b|(?<![\w.])\d{{1,7}}(?:[.,]\d{{1,2}})? ?{_CUR_AFTER}"
    r"(?!\w)|(?<![\w.])P ?\d{2,7}(?:\.\d{2})?\b)"
    r"|(?P<number>(?<![\w+])\+?\d[\d \-.()]{5,}\d(?![\w]))")


@dataclass(frozen=True)
class Found:
    kind: str  # phone, email, url, handle, iban, mtcn, moneygram, wallet, btc, eth, tron, amount, date, ip, ...
    value: str  # normalised
    raw: str  # as written
    confidence: float
    start: int
    end: int
    note: str = ""


def _near(lower: str, start: int, end: int, words: tuple[str, ...], reach: int = 40) -> str | None:
    """The keyword closest to text[start:end] within `reach` characters, if any."""
    low = max(0, start - reach)
    window = lower[low:end + reach]
    best: tuple[int, str] | None = None
    for word in words:
        at = window.rfind(word, 0, start - low) if word in window[:start - low] else window.find(word)
        if at < 0:
            continue
        distance = (start - low) - (at + len(word)) if at < start - low else at - (end - low)
        if best is None or abs(distance) < best[0]:
            best = (abs(distance), word.strip())
    return best[1] if best else None


def phone(raw: str, regions: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """(E.164, type) for a valid number: international form, or national form in one of the regions."""
    import phonenumbers

    candidates = [None] if raw.strip().startswith("+") else list(regions)
    for region in candidates:
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            kind = phonenumbers.number_type(parsed)
            label = {phonenumbers.PhoneNumberType.MOBILE: "mobile",
                     phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile or fixed",
                     phonenumbers.PhoneNumberType.FIXED_LINE: "fixed"}.get(kind, "other")
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), label
    return None


def _number(raw: str, start: int, end: int, lower: str, regions: tuple[str, ...]) -> list[Found]:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10 and not raw.startswith("+") and (word := _near(lower, start, end, MTCN_WORDS)):
        return [Found("mtcn", digits, raw, 0.9, start, end, f"10 digits next to '{word}'")]
    if len(digits) == 8 and not raw.startswith("+") and (word := _near(lower, start, end, MONEYGRAM_WORDS)):
        return [Found("moneygram", digits, raw, 0.85, start, end, f"8 digits next to '{word}'")]
    number = phone(raw, regions)
    if number is None:
        return []
    e164, label = number
    out = [Found("phone", e164, raw, 0.9 if "mobile" in label else 0.7, start, end, label)]
    if e164.startswith("+639") and (word := _near(lower, start, end, WALLET_WORDS)):
        brand = "maya" if "maya" in word else "gcash" if "cash" in word else word
        out.append(Found("wallet", f"{brand}:{e164}", raw, 0.85, start, end, f"mobile number next to '{word}'"))
    return out


def _url(raw: str, start: int, end: int, regions: tuple[str, ...]) -> list[Found]:
    raw = raw.rstrip(".,;:!?)]}")
    end = start + len(raw)
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw, flags=re.IGNORECASE)
    host, _, path = bare.partition("/")
    host = host.lower()
    out = [Found("url", ("https://" + host + ("/" + path if path else "")), raw, 0.9, start, end)]
    first = path.split("/")[0].split("?")[0]
    if host == "wa.me" and first.isdigit():
        number = phone("+" + first, regions)
        if number:
            out.append(Found("phone", number[0], raw, 0.9, start, end, "WhatsApp link"))
    for site, network in HANDLE_SITES.items():
        site_host, _, site_path = site.partition("/")
        if host == site_host and first and (not site_path or path.startswith(site_path + "/")):
            name = path.split("/")[1] if site_path else first
            if re.fullmatch(r"[A-Za-z0-9_.]{2,40}", name or "") and name.lower() not in ("p", "reel", "share", "c"):
                out.append(Found("handle", f"{network}:@{name.lower()}", raw, 0.8, start, end, f"{network} link"))
    return out


def _amount(raw: str, start: int, end: int) -> list[Found]:
    match = re.search(r"\d{1,7}(?:[.,]\d{1,2})?", raw)
    if not match:
        return []
    symbol = (raw[:match.start()] + raw[match.end():]).strip().lower()
    currency = CURRENCIES.get(symbol)
    if not currency:
        return []
    value = float(match.group(0).replace(",", "."))
    return [Found("amount", f"{value:.2f} {currency}", raw, 0.7 if symbol == "p" else 0.8, start, end)]


def _date(raw: str, start: int, end: int) -> list[Found]:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            value = datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
        return [Found("date", value, raw, 0.6 if "/" in raw else 0.8, start, end,
                      "read day-first" if "/" in raw else "")]
    return []


def extract(text: str, regions: tuple[str, ...] = ()) -> list[Found]:
    """Every identifier in `text`, in order of appearance."""
    if not text or not PREFILTER.search(text):
        return []
    lower = text.lower()
    out: list[Found] = []
    for match in PATTERN.finditer(text):
        kind = match.lastgroup
        raw, start, end = match.group(0), match.start(), match.end()
        if kind == "email":
            out.extend(_email(raw, start, end))
        elif kind == "url":
            out.extend(_url(raw, start, end, regions))
        elif kind == "handle":
            out.append(Found("handle", raw.lower(), raw, 0.6, start, end))
        elif kind == "eth":
            state = checksums.eth_address(raw)
            if state:
                out.append(Found("eth", "0x" + raw[2:].lower(), raw, 0.95 if state == "checksummed" else 0.75,
                                 start, end, state))
        elif kind == "bech":
            variant = checksums.btc_address(raw)
            if variant:
                out.append(Found("btc", raw.lower(), raw, 0.95, start, end, variant))
        elif kind == "b58":
            if raw.startswith("T"):
                if checksums.tron_address(raw):
                    out.append(Found("tron", raw, raw, 0.95, start, end, "base58check"))
            elif (variant := checksums.btc_address(raw)) is not None:
                out.append(Found("btc", raw, raw, 0.95, start, end, variant))
        elif kind == "iban":
            out.extend(_iban(raw, start, end))
        elif kind == "date":
            out.extend(_date(raw, start, end))
        elif kind == "amount":
            out.extend(_amount(raw, start, end))
        elif kind == "number":
            out.extend(_number(raw, start, end, lower, regions))
    return out


JID_DOMAINS = ("s.whatsapp.net", "c.us")


def _email(raw: str, start: int, end: int) -> list[Found]:
    """An e-mail address; a WhatsApp account id (`NUMBER@s.whatsapp.net`) is the phone number it names."""
    local, _, domain = raw.lower().rpartition("@")
    if domain in JID_DOMAINS:
        number = phone("+" + local, ()) if local.isdigit() else None
        return [Found("phone", number[0], raw, 0.95, start, end, "WhatsApp account id")] if number else []
    return [Found("email", raw.lower(), raw, 0.95, start, end)]


def _iban(raw: str, start: int, end: int) -> list[Found]:
    from winnow.identifiers.normalise import iban

    value = iban(raw)
    return [Found("iban", value, raw, 0.95, start, end)] if value else []


def from_entity(kind: str, text: str, regions: tuple[str, ...] = ()) -> Found | None:
    """An identifier the source itself marked (Telegram text_entities, UFDR party ids), validated like the rest."""
    text = text.strip()
    if not text:
        return None
    if kind == "phone":
        number = phone(text if text.startswith("+") or not text.isdigit() else text, regions) or \
            (phone("+" + re.sub(r"\D", "", text), ()) if re.sub(r"\D", "", text) else None)
        return Found("phone", number[0], text, 0.95, 0, len(text), f"marked by the source ({number[1]})") \
            if number else None
    if kind == "email":
        return Found("email", text.lower(), text, 0.95, 0, len(text), "marked by the source")
    if kind == "handle":
        value = text.lower() if text.startswith("@") else "@" + text.lower()
        return Found("handle", value, text, 0.8, 0, len(text), "marked by the source")
    if kind == "url":
        found = _url(text, 0, len(text), regions)
        return found[0] if found else None
    if kind == "bank_card":
        digits = re.sub(r"\D", "", text)
        return Found("bank_card", digits, text, 0.9 if _luhn(digits) else 0.5, 0, len(text),
                     "marked by the source" + ("" if _luhn(digits) else "; Luhn check fails"))
    if kind == "ip":
        import ipaddress

        try:
            return Found("ip", str(ipaddress.ip_address(text)), text, 0.95, 0, len(text), "session address")
        except ValueError:
            return None
    if kind == "account":
        jid = _email(text, 0, len(text)) if "@" in text else []
        if jid:
            return jid[0]
        number = phone(text, regions) if re.fullmatch(r"\+?[\d \-()]{7,}", text) else None
        if number:
            return Found("phone", number[0], text, 0.9, 0, len(text), "party identifier")
        return Found("account", text.lower(), text, 0.8, 0, len(text), "party identifier")
    return None


def _luhn(digits: str) -> bool:
    if not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0
