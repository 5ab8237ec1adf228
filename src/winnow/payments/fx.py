"""EUR conversion. A shipped table of reference rates (EUR per unit, late 2026 levels, rounded); a case can
override it with a CSV (`currency,eur_per_unit`). Rates are for ranking amounts, not for accounting."""

from __future__ import annotations

import csv
from pathlib import Path

EUR_PER_UNIT: dict[str, float] = {
    "EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05, "AUD": 0.61, "CAD": 0.68, "NZD": 0.56, "JPY": 0.0062,
    "SEK": 0.087, "NOK": 0.086, "DKK": 0.134, "PLN": 0.23, "CZK": 0.040, "HUF": 0.0025, "RON": 0.20,
    "BGN": 0.51, "PHP": 0.016, "THB": 0.026, "VND": 0.000037, "IDR": 0.000057, "MYR": 0.20, "SGD": 0.69,
    "INR": 0.011, "COP": 0.00023, "MXN": 0.050, "BRL": 0.17, "KES": 0.0071, "NGN": 0.00060, "GHS": 0.060,
    "ZAR": 0.050, "AED": 0.25, "TRY": 0.027, "UAH": 0.022, "MAD": 0.092, "HKD": 0.12, "CNY": 0.13,
    "KRW": 0.00068, "USDT": 0.92, "BTC": 85000.0, "ETH": 3200.0,
}
CRYPTO = frozenset({"USDT", "BTC", "ETH"})


def load(path: Path | None = None) -> dict[str, float]:
    rates = dict(EUR_PER_UNIT)
    if path is not None:
        with path.open(newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                code = (row.get("currency") or "").strip().upper()
                if code:
                    rates[code] = float(row["eur_per_unit"])
    return rates
