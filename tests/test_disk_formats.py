"""Every container format holds the same medium: VMDK, VHD, VHDX, QCOW2 (qemu-img), compressed E01, split raw,
ISO 9660 (genisoimage); GPT with NTFS and exFAT; LUKS and BitLocker volumes reported, never skipped silently."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import rows
from test_disk_images import ingest, snapshot
from winnow.sample import disks
from winnow.sample.disks import Manifest, standard_disk
from winnow.store.case import create_case


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    return standard_disk(tmp_path_factory.mktemp("fmt") / "build", seed=5)


def test_virtual_disk_formats_split_raw_and_compressed_e01(disk: tuple[Path, Manifest], tmp_path: Path) -> None:
    raw, m = disk
    ev = tmp_path / "evidence"
    ev.mkdir()
    for fmt, name in (("vmdk", "disk.vmdk"), ("vpc", "disk.vhd"), ("vhdx", "disk.vhdx"), ("qcow2", "disk.qcow2")):
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", fmt, str(raw), str(ev / name)], check=True)
    subprocess.run(["ewfacquire", "-u", "-q", "-t", str(ev / "packed"), "-c", "best", str(raw)], check=True,
                   capture_output=True)
    data = raw.read_bytes()
    third = len(data) // 3 // 512 * 512
    for i, part in enumerate((data[:third], data[third:2 * third], data[2 * third:])):
        (ev / f"split.{i + 1:03d}").write_bytes(part)
    paths = sorted(ev.iterdir())
    before = snapshot(paths, reset=True)
    case = create_case(tmp_path / "case", name="fmt", examiner="t")
    summary = ingest(case, ev)
    assert snapshot(paths) == before
    formats = {d["image"].rsplit("/", 1)[1]: (d["format"], d["verification"])
               for d in summary["case_totals"]["disk_images"]}
    assert formats == {"disk.vmdk": ("vmdk", "not_checked"), "disk.vhd": ("vhd", "not_checked"),
                       "disk.vhdx": ("vhdx", "not_checked"), "disk.qcow2": ("qcow2", "not_checked"),
                       "packed.E01": ("ewf", "verified"), "split.001": ("split-raw", "not_checked")}
    # each image lists the same files with the same hashes (checked per image on the shared case)
    for name in formats:
        check_one(case, ev / name, m)
    assert rows(case, "SELECT status FROM instances WHERE chain LIKE '%split.002'") == [("segment",)]


def check_one(case: object, image: Path, m: Manifest) -> None:
    from test_disk_images import listed

    found = listed(case, image)  # type: ignore[arg-type]
    for step, sha in m.allocated.items():
        assert found[step][:3] == (sha, 0, 0), (image, step)
    assert sorted(v[0] for v in found.values() if v[2]) == sorted(p[3] for p in m.planted)


def test_iso9660_image(tmp_path: Path) -> None:
    tree = tmp_path / "tree" / "DCIM"
    tree.mkdir(parents=True)
    photos = {f"p{i}.jpg": disks.jpeg(700 + i) for i in range(2)}
    for name, data in photos.items():
        (tree / name).write_bytes(data)
    iso = tmp_path / "disc.iso"
    subprocess.run(["genisoimage", "-quiet", "-R", "-J", "-o", str(iso), str(tmp_path / "tree")], check=True)
    case = create_case(tmp_path / "case", name="iso", examiner="t")
    summary = ingest(case, iso)
    [info] = summary["case_totals"]["disk_images"]
    assert (info["format"], [v["fs_type"] for v in info["volumes"]]) == ("iso", ["iso9660"])
    got = dict(rows(case, "SELECT name, sha256 FROM instances WHERE depth = 1 AND name LIKE 'p%.jpg'"))
    assert got == {n: disks.sha(d) for n, d in photos.items()}
    assert rows(case, "SELECT chain FROM instances WHERE name = 'p0.jpg'") == [(f"{iso}!/DCIM/p0.jpg",)]


def test_gpt_ntfs_exfat_and_encrypted_volumes(tmp_path: Path) -> None:
    work = tmp_path / "w"
    work.mkdir()
    files = {"Users/x/Pictures/a.jpg": disks.jpeg(801), "notes.txt": b"benign text\n"}
    disks.ntfs(work / "n.img", 8, {"a.jpg": files["Users/x/Pictures/a.jpg"], "notes.txt": files["notes.txt"]}, work)
    disks.exfat(work / "x.img", 4)
    luks = work / "l.img"
    with open(luks, "wb") as f:
        f.truncate(4 * disks.MIB)
    subprocess.run([disks.tool("cryptsetup"), "luksFormat", "-q", "--type", "luks2", "--pbkdf", "pbkdf2",
                    "--pbkdf-force-iterations", "1000", "--key-file", "-", str(luks)], input=b"benign test key",
                   check=True, capture_output=True)
    bitlocker = work / "b.img"
    sector = bytearray(512)
    sector[0:3], sector[3:11], sector[510:512] = b"\xeb\x58\x90", b"-FVE-FS-", b"\x55\xaa"  # the BitLocker signature
    with open(bitlocker, "wb") as f:
        f.write(bytes(sector))
        f.truncate(2 * disks.MIB)
    disk = tmp_path / "gpt.img"
    data_type, luks_type = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "CA7D7CCB-63ED-4C53-861C-1742536059CC"
    parts = [(work / "n.img", data_type), (work / "x.img", data_type), (luks, luks_type), (bitlocker, data_type)]
    disks.assemble(disk, parts, label="gpt")
    case = create_case(tmp_path / "case", name="gpt", examiner="t")
    summary = ingest(case, disk)
    [info] = summary["case_totals"]["disk_images"]
    assert info["volume_system"] == "gpt"
    vols = [(v["slot"], v["fs_type"], v["encryption"], v["status"]) for v in info["volumes"]
            if v["slot"] != "unpartitioned"]
    assert vols == [("p1", "ntfs", None, "file_system"), ("p2", "exfat", None, "file_system"),
                    ("p3", None, "luks", "encrypted"), ("p4", None, "bitlocker", "encrypted")]
    got = dict(rows(case, "SELECT chain, sha256 FROM instances WHERE chain LIKE ?", f"{disk}!p1!/%"))
    assert got[f"{disk}!p1!/a.jpg"] == disks.sha(files["Users/x/Pictures/a.jpg"])
    assert got[f"{disk}!p1!/notes.txt"] == disks.sha(files["notes.txt"])
    assert f"{disk}!p1!/$MFT" in got  # NTFS system files are files of the volume too
    [(inode,)] = rows(case, "SELECT inode FROM fs_entries WHERE chain = ?", f"{disk}!p1!/a.jpg")
    assert inode >= 64  # an MFT entry number past the system files
    warned = rows(case, "SELECT chain, message FROM warnings WHERE code = 'encrypted_volume' ORDER BY chain")
    assert [c for c, _ in warned] == [f"{disk}!p3", f"{disk}!p4"]
    assert "LUKS" in warned[0][1] and "BitLocker" in warned[1][1]
    # encrypted volumes are not carved (their bytes look random); nothing was carved from them
    assert rows(case, "SELECT COUNT(*) FROM fs_entries WHERE volume LIKE '%!p3' OR volume LIKE '%!p4'") == [(0,)]
