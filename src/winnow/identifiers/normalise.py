"""Party identifiers normalised at the boundary: names (case, accents, spacing), phone numbers (E.164 via
phonenumbers), IBANs (schwifty). Nothing here infers a person's sex, age, nationality or origin."""

from __future__ import annotations

import re
import unicodedata


def name(value: str | None) -> str | None:
    if not value:
        return None
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s'-]", " ", text.casefold())
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def phone(value: str | None, country: str | None = None) -> str | None:
    """E.164, or None when the value is not a valid number (with the party's country as the region hint)."""
    if not value or not str(value).strip():
        return None
    import phonenumbers

    try:
        parsed = phonenumbers.parse(str(value), (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def iban(value: str | None) -> str | None:
    if not value or not str(value).strip():
        return None
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return str(IBAN(str(value)).compact)
    except (SchwiftyException, ValueError):
        return None

