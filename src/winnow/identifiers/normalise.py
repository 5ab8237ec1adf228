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
    """E.164, or None when the value is no phone number (with the party's country as the region hint): valid
    numbers, and numbers of a mobile number's full length in ranges the metadata does not list, in the party's
    own country; never placeholders of one or two repeated digits."""
    if not value or not str(value).strip():
        return None
    import phonenumbers

    try:
        parsed = phonenumbers.parse(str(value), (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    national = str(parsed.national_number)
    if len(set(national)) <= 2:
        return None  # a placeholder (0000000000, 1111111111, 1212121212) names nobody, and would merge strangers
    # a number in a range the metadata does not list yet (new mobile prefixes appear every year) still names one
    # party: keep it when it has a full mobile number's length, in the party's own country
    full = phonenumbers.ValidationResult.IS_POSSIBLE
    if not phonenumbers.is_valid_number(parsed):
        if phonenumbers.is_possible_number_for_type_with_reason(parsed, phonenumbers.PhoneNumberType.MOBILE) != full:
            return None
        if country and phonenumbers.region_code_for_number(parsed) != country.upper():
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

