"""Category schemes, in one place: the codes hash sets carry (VICS/Project VIC and CAID-style lists) and the codes a
reviewer gives in the review app are the same published codes. VICS's `Category` is a number; non-pertinent is 0 in
both the US and the UK scheme (the UK scheme codes the sentencing categories A/B/C, also written 1/2/3 in VICS
files). Codes are never guessed: an unknown code is kept raw and reported (hashsets/)."""

from __future__ import annotations

# the labels stored for hash-set matches (matches.category), per VICS scheme; several codes may share a label
HASHSET_LABELS: dict[str, dict[str, str]] = {
    "US": {"0": "0 non-pertinent", "1": "1 CAM", "2": "2 exploitive / age difficult", "3": "3 CGI/animation",
           "4": "4 comparison"},
    "UK": {"0": "non-pertinent", "A": "A", "B": "B", "C": "C", "1": "A", "2": "B", "3": "C"},
}
HASHSET_ALIASES = {"DEFAULT": "US", "US": "US", "UK": "UK"}

# the codes a reviewer chooses from (decisions.category), per case scheme: the published code, then a label
REVIEW_SCHEMES: dict[str, list[tuple[str, str]]] = {
    "vics-us": [("0", "non-pertinent"), ("1", "CAM"), ("2", "exploitive / age difficult"), ("3", "CGI / animation"),
                ("4", "comparison"), ("9", "uncategorized")],
    "uk": [("A", "category A"), ("B", "category B"), ("C", "category C"), ("0", "non-pertinent"),
           ("U", "uncategorized")],
}
REVIEW_TO_VICS = {"vics-us": "US", "uk": "UK"}
UNCATEGORIZED = {"vics-us": "9", "uk": "U"}  # the review app's "not decided yet" code: not a hash-set category
