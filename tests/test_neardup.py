"""Near-duplicate matching (issue #16): exact Hamming search at smaller radii, border removal, rotation probes,
ORB verification, and `winnow match --robust` end to end with its reasons in --json and triage."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageOps

from conftest import invoke, invoke_json
from winnow.match import verify
from winnow.match.hamming import HammingIndex, brute_force
from winnow.sample import photos
from winnow.signals import neardup
from winnow.signals.pdq import DIHEDRAL, dihedral, pdq_dihedral, pdq_hash


def _d(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def test_mirror_hash_is_the_pdq_of_the_mirrored_pixels() -> None:
    """PDQ's box filter is not mirror-symmetric: on fine texture the DCT-domain flip (Meta's dct16OriginalToFlipY)
    is far from the PDQ of the mirrored picture; ingest's stored mirror is the latter, bit for bit."""
    rng = np.random.default_rng(7)
    texture = Image.fromarray(rng.integers(0, 256, (96, 120), dtype=np.uint8)).resize((480, 384))
    for im in (photos.photo(3, (320, 240)), texture.convert("RGB")):
        hashes, _ = pdq_dihedral(im)
        assert hashes[DIHEDRAL.index("flipy")] == pdq_hash(ImageOps.mirror(im))[0]
        assert hashes[0] == pdq_hash(im)[0]
    from winnow.signals.pdq import bits_hex, coefficients_from_luma, luma

    dct_flip = bits_hex(dihedral(coefficients_from_luma(luma(texture.convert("RGB")))[0])[DIHEDRAL.index("flipy")])
    assert _d(dct_flip, pdq_hash(ImageOps.mirror(texture.convert("RGB")))[0]) == 24  # seeded


def _thumb(im: Image.Image) -> np.ndarray:
    t = im.copy()
    t.thumbnail((256, 256), Image.Resampling.BILINEAR, reducing_gap=2.0)
    buf = io.BytesIO()
    t.convert("RGB").save(buf, "JPEG", quality=80)
    with Image.open(buf) as j:
        return neardup.gray_of(j)


def test_smaller_radius_probes_fewer_keys_and_stays_exact() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    queries = codes[:200].copy()
    for i, q in enumerate(queries):  # flip 0..40 bits
        for b in rng.choice(256, i % 41, replace=False):
            q[b // 8] ^= 1 << (b % 8)
    index = HammingIndex(codes, max_radius=31)  # 16 substrings of 16 bits probed at 1 bit (17 keys each)
    assert index._probe_radii(31) == [17] * 16
    assert index._probe_radii(21) == [1] * 10 + [17] * 6  # sum of (probe radius + 1) = 22 > 21: still exact
    for radius in (10, 21, 26, 31):
        q, ids, _ = index.search(queries, radius=radius)
        assert set(zip(q.tolist(), ids.tolist(), strict=True)) == brute_force(codes, queries, radius)


def test_border_removal_and_rotation_probes_reach_the_original() -> None:
    im = photos.photo(1601, (640, 480))
    original = pdq_hash(im)[0]
    boxed = ImageOps.expand(im, border=(0, 118, 0, 118), fill=(0, 0, 0))
    rotated = im.rotate(3, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    assert _d(pdq_hash(boxed)[0], original) > 31 and _d(pdq_hash(rotated)[0], original) > 31
    gray = _thumb(boxed)
    box = neardup.trim_box(gray, neardup.FLAT_SHARES[0])
    assert box == (0, 42, 229, 214)  # 118 of 716 px bars in a 229 x 256 thumbnail
    trim = [v for v in neardup.query_variants(gray) if v.name == "trim"]
    assert trim and _d(trim[0].pdq, original) <= neardup.TRIM_RADIUS
    probes = {v.name: _d(v.pdq, original) for v in neardup.query_variants(_thumb(rotated))}
    assert min(probes, key=probes.__getitem__) == "rotate-3" and probes["rotate-3"] <= neardup.PROBE_RADIUS
    assert neardup.trim_box(_thumb(im), neardup.FLAT_SHARES[0]) is None  # a photo without bars keeps its edges


def test_store_crops_and_verification_confirm_copies_and_reject_other_photos() -> None:
    im = photos.photo(1602, (800, 600))
    crop = im.crop((80, 60, 720, 540))  # 10 % per side
    crop_pdq = pdq_hash(crop)[0]
    stored = {v.name: _d(v.pdq, crop_pdq) for v in neardup.store_variants(_thumb(im))}
    assert min(stored, key=stored.__getitem__) == "crop0.1" and stored["crop0.1"] <= neardup.PROBE_RADIUS
    ref = verify.features(_thumb(im))
    same = verify.verify(verify.features(_thumb(crop)), ref)
    other = verify.verify(verify.features(_thumb(photos.photo(1603, (800, 600)))), ref)
    assert same.confirmed and abs(same.scale - 0.8) < 0.05 and abs(same.degrees) < 1
    assert not other.confirmed


def test_match_robust_end_to_end(tmp_path: Path) -> None:
    known = photos.photo(1604, (800, 600))
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    variants = {"rotated.jpg": known.rotate(-3, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)),
                "letterboxed.jpg": ImageOps.expand(known, border=(0, 148, 0, 148), fill=(0, 0, 0)),
                "mirrored.jpg": ImageOps.mirror(known), "other.jpg": photos.photo(1605, (800, 600))}
    for name, im in variants.items():
        im.save(evidence / name, "JPEG", quality=90)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in evidence.iterdir()}
    (tmp_path / "known.txt").write_text(pdq_hash(known)[0] + "\n")
    case, lib = tmp_path / "case", tmp_path / "lib"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    invoke("hashset", "import", tmp_path / "known.txt", "--name", "known", "--format", "pdq-list", "--library", lib)
    plain = invoke_json("match", "--case", case, "--library", lib)
    assert plain["sets"][0]["pdq_matches"] == 0 and plain["near_duplicates"] == []
    robust = invoke_json("match", "--case", case, "--library", lib, "--robust")
    assert robust["sets"][0]["mode"] == "full"  # switching the mode re-matches the whole case
    found = {m["sha256"]: m for m in robust["near_duplicates"]}
    shas = {name: __import__("hashlib").sha256((evidence / name).read_bytes()).hexdigest() for name in variants}
    assert set(found) == {shas["rotated.jpg"], shas["letterboxed.jpg"], shas["mirrored.jpg"]}
    assert found[shas["letterboxed.jpg"]]["evidence"]["stage"] == "border"
    assert found[shas["rotated.jpg"]]["evidence"]["stage"] == "probe"
    assert found[shas["rotated.jpg"]]["transform"] in ("rotate+2", "rotate+3", "rotate+4")
    assert found[shas["mirrored.jpg"]]["transform"] == "mirror"
    for m in found.values():
        assert m["evidence"]["distance"] == m["distance"] <= m["evidence"]["radius"]
    triage = invoke_json("triage", "--case", case, "--library", lib)
    assert triage["by_state"]["alert-near"] == 3
    reasons = [r for q in triage["queue_head"] for r in q["reasons"] if r.startswith("near-duplicate (")]
    assert len(reasons) == 3
    # the review app's item page shows why
    from test_web import invoke_stdin, login
    from winnow.store.case import Case

    invoke_stdin(["user", "add", "ann", "--case", case, "--role", "reviewer", "--password-stdin"], "ann-secret-pass\n")
    client, _ = login(Case(case), "ann")
    page = client.get(f"/item/{shas['rotated.jpg']}", headers={"accept": "text/html"}).text
    assert "why:" in page and "&#34;stage&#34;: &#34;probe&#34;" in page and "near-duplicate (probe rotate" in page
    assert before == {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in evidence.iterdir()}


def test_triage_robust_stacks_a_crop_and_a_rotation_with_their_reasons(tmp_path: Path) -> None:
    """Case items against each other (winnow has both sides' pixels): a 8 %-per-side crop and a 4 degree rotation
    of a photo join its stack only with --robust, each with the variant and its SIFT evidence as the reason."""
    import hashlib

    original = photos.photo(1606, (800, 600))
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    files = {"original.jpg": original, "cropped.jpg": original.crop((64, 48, 736, 552)),
             "rotated.jpg": original.rotate(4, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)),
             "other.jpg": photos.photo(1607, (800, 600))}
    for name, im in files.items():
        im.save(evidence / name, "JPEG", quality=90)
    sha = {name: hashlib.sha256((evidence / name).read_bytes()).hexdigest() for name in files}
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    plain = invoke_json("triage", "--case", case)
    assert plain["stacks"] == 0
    robust = invoke_json("triage", "--case", case, "--robust")
    assert robust["robust_links"] == 2 and robust["stacks"] == 1
    reasons = {q["sha256"]: q["reasons"] for q in robust["queue_head"]}
    crop = [r for r in reasons[sha["cropped.jpg"]] if r.startswith("near-duplicate of")]
    rotation = [r for r in reasons[sha["rotated.jpg"]] if r.startswith("near-duplicate of")]
    assert crop == [f"near-duplicate of {sha['original.jpg'][:12]} in this case (reference pdq~crop0.08, "
                    "distance 0 <= 26, 265 SIFT inliers (scale 0.84, -0.02 degrees, spread 0.798, "
                    "agreement 1.0))"]
    assert rotation == [f"near-duplicate of {sha['original.jpg'][:12]} in this case (probe rotate-4, distance 6 <= 31)"]
    assert len([r for r in reasons[sha["original.jpg"]] if r.startswith("near-duplicate of")]) == 2
    assert not [r for r in reasons[sha["other.jpg"]] if r.startswith("near-duplicate")]


def test_rotation_probes_are_read_from_the_corner_wedges() -> None:
    """An upright photo gets no probes; one rotated on its own canvas with black corners gets the probes within
    1 degree of the angle its wedges show (the probe rotates back); a flat dark corner leaves every probe."""
    im = photos.photo(1608, (800, 600))
    assert neardup.rotation_probes(_thumb(im)) == ()
    assert neardup.rotation_probes(_thumb(im.rotate(4, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)))) == (
        -5.0, -4.0)
    assert neardup.rotation_probes(_thumb(im.rotate(-2, Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)))) == (
        2.0, 3.0)
    dark = np.asarray(im).copy()
    dark[:150, :200] = 0  # a black patch in the top-left corner: not a wedge's shape
    assert neardup.rotation_probes(_thumb(Image.fromarray(dark))) == neardup.QUERY_ROTATIONS


def test_sampler_hashes_the_thumbnail_as_pdq_hashes_the_full_image() -> None:
    """PDQ's tent at the original's scale, on the 256-px thumbnail: close to the full image's PDQ (area averaging
    to 64 x 64, the previous way, is farther); batched rotations equal one-at-a-time ones."""
    im = photos.photo(1609, (1024, 768))
    full = pdq_hash(im)[0]
    gray = _thumb(im)
    sampler = neardup.Sampler(gray, original=(768, 1024))
    assert _d(sampler.pdq()[0], full) == 6  # seeded
    import cv2

    area = cv2.resize(np.clip(gray, 0, 255).astype(np.uint8), (64, 64), interpolation=cv2.INTER_AREA)
    from winnow.signals.pdq import DCT, bits_hex

    assert _d(bits_hex(DCT @ area.astype(np.float32) @ DCT.T), full) == 8  # seeded
    angles = (-3.0, 2.0)
    assert sampler.hashes(angles) == [sampler.pdq(a)[0] for a in angles]


def test_feature_index_votes_for_the_copy_and_verification_checks_pixels() -> None:
    refs = [photos.photo(1610 + k, (640, 480)) for k in range(4)]
    feats = [verify.features(_thumb(r)) for r in refs]
    index = verify.FeatureIndex(feats)
    query = _thumb(ImageOps.expand(refs[2].crop((40, 30, 600, 450)), border=(0, 90, 0, 90), fill=(0, 0, 0)))
    q = verify.features(query)
    found = index.candidates(q)
    assert found and found[0][0] == 2
    verdict = verify.verify(q, feats[2], query, _thumb(refs[2]))
    assert verdict.confirmed and verdict.overlap > 0.7 and verdict.agreement == 1.0
    patch = np.asarray(refs[1]).copy()
    patch[:240, :320] = np.asarray(refs[2])[:240, :320]  # another picture sharing one copied quarter
    other = _thumb(Image.fromarray(patch))
    shared = verify.verify(verify.features(other), feats[2], other, _thumb(refs[2]))
    assert shared.inliers >= verify.MIN_INLIERS and shared.agreement < verify.MIN_AGREEMENT and not shared.confirmed


def test_variants_of_many_pictures_are_the_same_in_worker_processes(tmp_path: Path, monkeypatch) -> None:
    """`query_variants_many` (what `match --robust` hashes thumbnails with) gives in worker processes what
    `query_variants` gives one picture at a time; an unreadable thumbnail is None, never an error."""
    im = photos.photo(1608, (640, 480))
    pictures: list[neardup.Picture] = []
    for k, picture in enumerate((im, ImageOps.expand(im, border=(0, 90, 0, 90), fill=(0, 0, 0)),
                                 im.rotate(3, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)))):
        t = picture.copy()
        t.thumbnail((256, 256))
        path = tmp_path / f"{k}.jpg"
        t.save(path, "JPEG", quality=80)
        pictures.append((str(path), (picture.height, picture.width)))
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    pictures += [(str(tmp_path / "broken.jpg"), None), (None, None)]
    alone = [neardup.query_variants(*neardup.load_picture(p)) if neardup.load_picture(p)[0] is not None else None
             for p in pictures]
    assert [v and [x.name for x in v] for v in alone] == [[], ["trim", "trim-loose"], ["rotate-4", "rotate-3"],
                                                         None, None]
    monkeypatch.setattr(neardup, "PROCESSES_FROM", 0)
    assert neardup.query_variants_many(pictures, workers=2, chunk=2) == alone
    assert neardup.query_variants_many(pictures, workers=2, chunk=1) == alone  # the same pool, again


def _skimage(name: str) -> Image.Image:
    import skimage.data

    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def test_hashset_build_from_pictures_matches_a_crop_and_a_rotation_by_their_pixels(tmp_path: Path) -> None:
    """`winnow hashset build` on a folder of package photos (scikit-image), one of them a broken file: a case's
    8 %-per-side crop of one photo is found only through the set's stored crops and confirmed by SIFT (reason
    and inliers in --json), a 4 degree rotation through the probes; other photos match nothing; the broken file
    is a stored problem."""
    import hashlib

    refs = tmp_path / "refs"
    (refs / "nested").mkdir(parents=True)
    coffee, astronaut, camera = _skimage("coffee"), _skimage("astronaut"), _skimage("camera")
    coffee.save(refs / "coffee.png")
    astronaut.save(refs / "nested" / "astronaut.jpg", quality=92)
    camera.save(refs / "camera.png")
    (refs / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (refs / "notes.txt").write_text("reference material, case 16\n")
    lib = tmp_path / "lib"
    built = invoke_json("hashset", "build", refs, "--name", "refs", "--category", "A", "--library", lib)
    assert (built["pictures"], built["problems"], built["format"]) == (3, 2, "pictures")
    assert built["counts"] == {"md5": 3, "sha1": 3, "sha256": 3, "pdq": 3}
    assert built["variants"] == 3 * (len(neardup.STORE_CROPS) + len(neardup.STORE_ROTATIONS)) + 1  # camera: a trim
    assert sorted(p["position"] for p in built["first_problems"]) == ["broken.jpg", "notes.txt"]
    assert all("not a picture winnow can decode" in p["message"] for p in built["first_problems"])
    shown = invoke_json("hashset", "show", "refs", "--library", lib)
    assert shown["problems"] == 2 and shown["format"] == "pictures"

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    w, h = coffee.size
    cases = {"coffee-crop.jpg": coffee.crop((round(0.08 * w), round(0.08 * h), round(0.92 * w), round(0.92 * h))),
             "astronaut-rotated.jpg": astronaut.rotate(4, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0)),
             "other.jpg": _skimage("chelsea")}
    for name, im in cases.items():
        im.save(evidence / name, "JPEG", quality=90)
    sha = {name: hashlib.sha256((evidence / name).read_bytes()).hexdigest() for name in cases}
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    plain = invoke_json("match", "--case", case, "--library", lib)
    assert plain["sets"][0]["pdq_matches"] == 0
    robust = invoke_json("match", "--case", case, "--library", lib, "--robust")
    found = {m["sha256"]: m for m in robust["near_duplicates"]}
    assert set(found) == {sha["coffee-crop.jpg"], sha["astronaut-rotated.jpg"]}
    crop = found[sha["coffee-crop.jpg"]]
    assert crop["transform"] == "pdq~crop0.08" and crop["category"] == "A"
    assert crop["evidence"]["stage"] == "reference" and crop["evidence"]["reference"] == "coffee.png"
    assert crop["evidence"]["inliers"] >= 100 and crop["evidence"]["agreement"] >= 0.9
    assert abs(crop["evidence"]["scale"] - 0.84) < 0.03  # the crop keeps 84 % of each side
    rotated = found[sha["astronaut-rotated.jpg"]]
    assert rotated["evidence"]["stage"] == "probe" and rotated["transform"] in ("rotate-4", "rotate-5")
    counts = robust["sets"][0]["robust"]
    assert counts["reference"] == 1 and counts["probe"] == 1
    triage = invoke_json("triage", "--case", case, "--library", lib)
    reasons = {q["sha256"]: q["reasons"] for q in triage["queue_head"]}
    assert any("reference pdq~crop0.08" in r and "SIFT inliers" in r for r in reasons[sha["coffee-crop.jpg"]])

    # a rebuild replaces the set atomically: the old set's files go
    sets = lib / "sets"
    before = {p.name for p in sets.iterdir()}
    (refs / "camera.png").unlink()
    again = invoke_json("hashset", "build", refs, "--name", "refs", "--library", lib)
    assert (again["version"], again["pictures"], again["replaced"]) == (2, 2, True)
    after = {p.name for p in sets.iterdir()}
    assert not before & after and len(after) == 4  # set file, its PDQ, its variants, its pictures folder
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "a.txt").write_text("x")
    failed = invoke("hashset", "build", empty, "--name", "none", "--library", lib, expect=1)
    assert "no picture winnow can decode" in failed.output and "Traceback" not in failed.output


def _retina_tile(x: int, y: int) -> Image.Image:
    import skimage.data

    retina = Image.fromarray(skimage.data.retina())
    return retina.crop((x * 201, y * 201, (x + 1) * 201, (y + 1) * 201))


def test_a_close_hash_pair_is_confirmed_with_few_keypoints_but_the_pixel_check_stays() -> None:
    """A 5 %-per-side crop of a small, low-texture tile (a retina fundus tile: few, bunched SIFT keypoints) is 4
    bits from the tile's stored crop0.05 but keeps too few, too bunched inliers for the far rule; the
    close-distance rule confirms it; another tile (no consistent keypoints) and a tile sharing copied patches
    with another (keypoints align, pixels disagree) are refused by it however close their hashes."""
    tile, other = _retina_tile(0, 1), _retina_tile(6, 1)
    buf = io.BytesIO()
    tile.crop((10, 10, 191, 191)).save(buf, "JPEG", quality=90)  # as a re-shared copy would be
    crop = Image.open(buf)
    ref, query = _thumb(tile), _thumb(crop)
    crop_pdq = neardup.Sampler(query, None, (181, 181)).pdq()[0]
    stored = {v.name: _d(v.pdq, crop_pdq) for v in neardup.store_variants(ref, (201, 201))}
    assert stored["crop0.05"] == 4
    verdict = verify.verify(verify.features(query), verify.features(ref), query, ref)
    assert (verdict.inliers, verdict.spread, verdict.overlap, verdict.agreement) == (12, 0.081, 0.766, 1.0)
    assert not verdict.confirmed and not verdict.confirmed_at(verify.CLOSE_DISTANCE + 1)
    assert verdict.confirmed_at(stored["crop0.05"]) and not verdict.confirmed_at(None)
    look = _thumb(other)
    stranger = verify.verify(verify.features(look), verify.features(ref), look, ref)
    assert stranger.inliers == 0 and not stranger.confirmed_at(0)
    # grass is texture-synthesised: two of its tiles share copied patches, so keypoints align; pixels do not
    import skimage.data

    grass = Image.fromarray(skimage.data.grass())
    a, b = (_thumb(grass.crop((256, y, 512, y + 256))) for y in (0, 256))
    patch = verify.verify(verify.features(a), verify.features(b), a, b)
    assert patch.inliers >= verify.CLOSE_INLIERS and patch.agreement < verify.MIN_AGREEMENT
    assert not patch.confirmed_at(0)


def test_an_image_too_flat_for_pdq_is_matched_to_a_built_set_only_by_its_pixels(tmp_path: Path) -> None:
    """Below PDQ quality 50 a case image is never matched by hash (Meta's rule); against a set built from
    pictures its lookups are still candidates, each confirmed or refused by SIFT and the pixel check: a 10 %-per-
    side crop of a dark retina tile (quality < 50) is found through the set with its inliers, the low-quality
    count still says it was not matched by hash, and plain `match` finds nothing."""
    import hashlib

    refs = tmp_path / "refs"
    refs.mkdir()
    for x, y in ((3, 0), (1, 3), (2, 5)):
        _retina_tile(x, y).save(refs / f"retina-{x}-{y}.png")
    lib = tmp_path / "lib"
    invoke_json("hashset", "build", refs, "--name", "fundus", "--category", "B", "--library", lib)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    tile = _retina_tile(3, 0)
    tile.crop((20, 20, 181, 181)).save(evidence / "crop.jpg", "JPEG", quality=90)
    _retina_tile(6, 2).save(evidence / "other.jpg", "JPEG", quality=90)
    sha = hashlib.sha256((evidence / "crop.jpg").read_bytes()).hexdigest()
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    plain = invoke_json("match", "--case", case, "--library", lib)
    assert plain["sets"][0]["pdq_matches"] == 0 and plain["sets"][0]["pdq_skipped_low_quality"] == 1
    robust = invoke_json("match", "--case", case, "--library", lib, "--robust")
    found = {m["sha256"]: m for m in robust["near_duplicates"]}
    assert set(found) == {sha} and found[sha]["transform"] == "pdq~crop0.1" and found[sha]["category"] == "B"
    e = found[sha]["evidence"]
    assert (e["stage"], e["reference"], e["distance"], e["inliers"], e["rule"]) == (
        "reference", "retina-3-0.png", 2, 55, "features")
    assert robust["sets"][0]["pdq_skipped_low_quality"] == 1
    with Image.open(evidence / "crop.jpg") as im:
        assert pdq_hash(im)[1] < 50  # the crop is the image PDQ calls unreliable


def test_features_find_a_resized_texture_every_hash_of_which_moved(tmp_path: Path) -> None:
    """A 50 % resize of scikit-image's brick texture moves its PDQ ~58 bits (Meta's own PDQ too): `match --robust`
    cannot reach it through any hash, `--features` finds it by SIFT votes and confirms it by the pixel check;
    `--features` without `--robust` is one line and no run."""
    import hashlib

    refs = tmp_path / "refs"
    refs.mkdir()
    brick = _skimage("brick")
    brick.save(refs / "brick.png")
    _skimage("coffee").save(refs / "coffee.png")
    lib = tmp_path / "lib"
    invoke_json("hashset", "build", refs, "--name", "textures", "--library", lib)
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    brick.resize((brick.width // 2, brick.height // 2), Image.Resampling.LANCZOS).save(evidence / "small.jpg",
                                                                                        "JPEG", quality=90)
    _skimage("chelsea").save(evidence / "other.jpg", "JPEG", quality=90)
    sha = hashlib.sha256((evidence / "small.jpg").read_bytes()).hexdigest()
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    refused = invoke("match", "--case", case, "--library", lib, "--features", expect=1)
    assert "add --robust" in refused.output and "Traceback" not in refused.output
    robust = invoke_json("match", "--case", case, "--library", lib, "--robust")
    assert robust["near_duplicates"] == []
    voted = invoke_json("match", "--case", case, "--library", lib, "--robust", "--features")
    assert voted["sets"][0]["mode"] == "full"  # another mode: the set is matched again in full
    found = {m["sha256"]: m for m in voted["near_duplicates"]}
    assert set(found) == {sha}
    e = found[sha]["evidence"]
    assert (e["stage"], e["variant"], e["distance"], e["reference"]) == ("reference", "features~votes", None,
                                                                          "brick.png")
    assert (found[sha]["distance"], e["inliers"], e["votes"], e["rule"]) == (58, 221, 289, "features")
    counts = voted["sets"][0]["robust"]
    assert (counts["feature_candidates"], counts["reference_rejected"], counts["reference"]) == (2, 1, 1)
    triage = invoke_json("triage", "--case", case, "--library", lib)
    reasons = {q["sha256"]: q["reasons"] for q in triage["queue_head"]}
    assert any("features~votes" in r and "SIFT votes" in r and "SIFT inliers" in r for r in reasons[sha])


def test_a_letterboxed_texture_is_matched_through_the_border_hash_read_at_ingest(tmp_path: Path) -> None:
    """The thumbnail sees a letterboxed picture at 172 of 256 pixels, and a fine texture's PDQ moves with every
    resampling: the border-removed hash read at ingest on the decode (`images.pdq_borders`, `trim@full`) lands
    on the original's PDQ where the thumbnail's is out of reach, and matches a hash-only set; a picture without
    a flat edge stores none."""
    import hashlib

    brick = _skimage("brick")
    boxed = ImageOps.expand(brick, border=(0, 126, 0, 126), fill=(0, 0, 0))  # 33 % black bars
    buf = io.BytesIO()
    boxed.save(buf, "JPEG", quality=90)
    from winnow.signals.image import analyse

    values = analyse(buf.getvalue(), sha256="b" * 64, thumbs=tmp_path / "thumbs", max_pixels=10**8, pdq_size=256,
                     thumbnail_size=256, thumbnail_quality=80).values
    known = pdq_hash(brick)[0]
    stored = {name: _d(pdq, known) for name, pdq, _q in __import__("json").loads(values["pdq_borders"])}
    with Image.open(tmp_path / values["thumbnail"]) as t:
        thumb = neardup.gray_of(t)
    from_thumbnail = {v.name: _d(v.pdq, known) for v in neardup.query_variants(thumb, (764, 512))}
    assert stored == {"trim@full": 18} and from_thumbnail == {"trim": 46, "trim-loose": 102}
    plain = analyse(io.BytesIO(_jpeg(_skimage("coffee"))).getvalue(), sha256="c" * 64, thumbs=None,
                    max_pixels=10**8, pdq_size=256, thumbnail_size=256, thumbnail_quality=80).values
    assert "pdq_borders" not in plain
    # a large palette PNG (no DCT reduction: its borders are read at <= BORDER_SIDE pixels)
    photo = photos.photo(1606, (2400, 1600))
    big = io.BytesIO()
    ImageOps.expand(photo, border=(0, 400, 0, 400), fill=(0, 0, 0)).convert("P", palette=Image.Palette.ADAPTIVE
                                                                            ).save(big, "PNG")
    png = analyse(big.getvalue(), sha256="d" * 64, thumbs=None, max_pixels=10**8, pdq_size=256, thumbnail_size=256,
                  thumbnail_quality=80).values
    photo_pdq = pdq_hash(photo)[0]
    assert [(n, _d(h, photo_pdq)) for n, h, _q in __import__("json").loads(png["pdq_borders"])] == [("trim@full", 8)]
    assert _d(png["pdq"], photo_pdq) == 118

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "boxed.jpg").write_bytes(buf.getvalue())
    (tmp_path / "known.txt").write_text(known + "\n")
    case, lib = tmp_path / "case", tmp_path / "lib"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    invoke("hashset", "import", tmp_path / "known.txt", "--name", "known", "--format", "pdq-list", "--library", lib)
    robust = invoke_json("match", "--case", case, "--library", lib, "--robust")
    (m,) = robust["near_duplicates"]
    assert m["sha256"] == hashlib.sha256(buf.getvalue()).hexdigest()
    assert (m["transform"], m["distance"], m["evidence"]["stage"]) == ("trim@full", 18, "border")


def _jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_triage_robust_links_an_image_too_flat_for_pdq_by_its_pixels_only(tmp_path: Path) -> None:
    """Inside a case, an image below PDQ quality 50 (a 10 %-per-side crop of a dark retina tile) is never stacked
    by its PDQ, but with --robust its lookups against the other images are candidates, confirmed by pixels: it
    joins the tile's stack with SIFT evidence; another dark tile stays alone."""
    import hashlib

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    tile = _retina_tile(3, 0)
    tile.save(evidence / "tile.jpg", "JPEG", quality=90)
    tile.crop((20, 20, 181, 181)).save(evidence / "crop.jpg", "JPEG", quality=90)
    _retina_tile(6, 2).save(evidence / "other.jpg", "JPEG", quality=90)
    sha = {name: hashlib.sha256((evidence / name).read_bytes()).hexdigest() for name in ("tile.jpg", "crop.jpg")}
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    with Image.open(evidence / "crop.jpg") as im:
        assert pdq_hash(im)[1] < 50
    assert invoke_json("triage", "--case", case)["stacks"] == 0
    robust = invoke_json("triage", "--case", case, "--robust")
    assert robust["robust_links"] == 1 and robust["stacks"] == 1
    reasons = {q["sha256"]: q["reasons"] for q in robust["queue_head"]}
    (link,) = [r for r in reasons[sha["crop.jpg"]] if r.startswith("near-duplicate of")]
    assert link == (f"near-duplicate of {sha['tile.jpg'][:12]} in this case (reference pdq~crop0.1, distance 8 "
                    "<= 26, 67 SIFT inliers (scale 1.0, 0.03 degrees, spread 0.708, agreement 1.0))")


def _weak_pair_case(tmp_path: Path, more: Callable[[Path], None]) -> tuple[Path, Path]:
    """A case (and its evidence folder) ingested from two low-quality copies, `loose.jpg` (a 10 %-per-side crop
    of a dark retina tile) and `tight.jpg` (a tighter crop of it), and what `more` writes beside them."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    loose = _retina_tile(3, 0).crop((20, 20, 181, 181))
    loose.save(evidence / "loose.jpg", "JPEG", quality=90)
    loose.crop((11, 11, 150, 150)).save(evidence / "tight.jpg", "JPEG", quality=90)
    more(evidence)
    case = tmp_path / "case"
    invoke("case", "create", case, "--name", "n", "--examiner", "e")
    invoke("ingest", evidence, "--case", case)
    return case, evidence


def test_triage_robust_links_two_images_too_flat_for_pdq_to_each_other(tmp_path: Path) -> None:
    """Two low-quality copies with no good original in the case (a 10 %-per-side crop of a dark retina tile and a
    tighter crop of it, both below PDQ quality 50) find each other: each is stored as well as looked up, and the
    pair is confirmed by pixels only (never the close-distance rule). Another dark tile stays alone."""
    import hashlib

    def other(evidence: Path) -> None:
        _retina_tile(6, 2).crop((20, 20, 181, 181)).save(evidence / "other.jpg", "JPEG", quality=90)

    case, evidence = _weak_pair_case(tmp_path, other)
    for name in ("loose.jpg", "tight.jpg", "other.jpg"):
        with Image.open(evidence / name) as im:
            assert pdq_hash(im)[1] < 50, name
    sha = {n: hashlib.sha256((evidence / n).read_bytes()).hexdigest() for n in ("loose.jpg", "tight.jpg")}
    assert invoke_json("triage", "--case", case)["stacks"] == 0
    robust = invoke_json("triage", "--case", case, "--robust")
    assert robust["robust_links"] == 1 and robust["stacks"] == 1
    reasons = {q["sha256"]: q["reasons"] for q in robust["queue_head"]}
    links = [r for h in sha.values() for r in reasons[h] if r.startswith("near-duplicate of")]
    why = "reference pdq~crop0.07, distance 12 <= 26, 45 SIFT inliers (scale 1.0, 0.07 degrees, spread 0.603, " \
          "agreement 1.0))"
    assert links == [f"near-duplicate of {sha['tight.jpg'][:12]} in this case ({why}",
                     f"near-duplicate of {sha['loose.jpg'][:12]} in this case ({why}"]


def test_flat_low_quality_images_cost_no_pixel_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Black screens and blank placeholders (PDQ quality 0, every hash alike) could never be confirmed (no
    keypoints), so triage --robust leaves them out instead of checking every pair of them; the textured
    low-quality pair still links."""
    def blanks(evidence: Path) -> None:
        for i in range(12):
            Image.new("L", (120 + 10 * i, 90 + 5 * i), 0 if i % 2 else 255).save(evidence / f"blank{i}.png")

    case, _ = _weak_pair_case(tmp_path, blanks)
    checks: list[int] = []
    real = verify.verify

    def counted(*args: Any, **kwargs: Any) -> verify.Verdict:
        checks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(verify, "verify", counted)
    robust = invoke_json("triage", "--case", case, "--robust")
    assert robust["robust_links"] == 1 and len(checks) == 1


def test_stored_border_hashes_winnow_did_not_write_give_nothing_to_look_up() -> None:
    """`images.pdq_borders` is read back as lookups only when it is what ingest writes: a list of [name, 64-hex
    PDQ, quality 0-100]; anything else (a short hash, a quality beyond any integer, not JSON) is no lookup and
    no error, so the thumbnail's boxes stay."""
    from winnow.match.robust import borders

    good = "ab" * 32
    assert [v.name for v in borders({"pdq_borders": f'[["trim@full", "{good}", 77]]'})] == ["trim@full"]
    for bad in ('[["trim@full", "abc", 77]]', f'[["trim@full", "{good}ff", 77]]', f'[["trim@full", "{good}", 1e400]]',
                f'[["trim@full", "{good}", 77], ["trim-sym@full", "{good}", "x"]]', "not json", '{"a": 1}', "[1]",
                None, ""):
        assert borders({"pdq_borders": bad}) == []
    assert borders({"sha256": "x"}) == []  # a row from before the column
