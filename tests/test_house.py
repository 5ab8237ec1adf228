"""The house rules as tests: one category scheme module, no cycles or upward imports, no SQL in the CLI."""

from __future__ import annotations

from winnow import categories
from winnow.hashsets.categories import label
from winnow.web import review


def test_one_category_scheme_review_codes_are_the_published_codes() -> None:
    # VICS's Category is a number and non-pertinent is 0 in both schemes; the UK review app once used "N"
    assert review.SCHEMES is categories.REVIEW_SCHEMES
    for case_scheme, codes in categories.REVIEW_SCHEMES.items():
        vics = categories.REVIEW_TO_VICS[case_scheme]
        for code, text in codes:
            if code == categories.UNCATEGORIZED[case_scheme]:
                assert label(vics, code)[0] is None  # "not decided yet" is no hash-set category
                continue
            assert label(vics, code)[0] is not None, (case_scheme, code, text)
        assert dict(codes)["0"] == "non-pertinent"
    assert label("UK", "0") == ("non-pertinent", "0") and label("UK", "N") == (None, "N")
