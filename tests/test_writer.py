"""The writer's file creation: folders made on demand, records from the written file."""

from __future__ import annotations

import os

from resnetgen.cache import digest
from resnetgen.writer import StagedOutput, write_file


def test_write_file_makes_missing_folders_and_returns_the_files_stat(tmp_path):
    target = tmp_path / "a" / "b" / "c" / "index.html"
    data = "<p>Caf\u00e9</p>\n".encode("utf-8") * 5000  # larger than one page of memory
    st = write_file(str(target), data)
    assert target.read_bytes() == data
    on_disk = os.stat(target)
    assert (st.st_size, st.st_mtime_ns, st.st_ino) == (on_disk.st_size, on_disk.st_mtime_ns,
                                                       on_disk.st_ino)


def test_write_file_replaces_a_longer_file_in_an_existing_folder(tmp_path):
    target = tmp_path / "page.html"
    target.write_bytes(b"x" * 100)
    write_file(str(target), b"short")
    assert target.read_bytes() == b"short"


def test_prepare_stages_new_bytes_and_records_them_for_the_cache(tmp_path):
    staged = StagedOutput(tmp_path / "output", manifest={})
    data = b"<!DOCTYPE html><title>x</title>"
    written = staged.prepare("2018/01/post/index.html", data, "key1")
    assert written.staged and written.value == digest(data)
    file = tmp_path / ".output.staging" / "2018" / "01" / "post" / "index.html"
    assert file.read_bytes() == data
    st = file.stat()
    assert written.record.key == "key1" and written.record.digest == digest(data)
    assert (written.record.size, written.record.mtime_ns, written.record.inode) == (
        st.st_size, st.st_mtime_ns, st.st_ino)
    # a second file in the same folder, and the commit that renames the staging folder
    staged.write("2018/01/post/index.html", data, "key1", written)
    staged.write("2018/01/post/chat.ics", b"BEGIN:VCALENDAR\r\n", "key2")
    staged.commit()
    assert (tmp_path / "output" / "2018" / "01" / "post" / "chat.ics").read_bytes() == \
        b"BEGIN:VCALENDAR\r\n"
    assert set(staged.records) == {"2018/01/post/index.html", "2018/01/post/chat.ics"}


def test_prepare_without_a_manifest_keeps_no_record(tmp_path):
    staged = StagedOutput(tmp_path / "output")
    written = staged.prepare("robots.txt", b"User-agent: *\n")
    assert written.staged and written.record is None and written.value == ""
    assert (tmp_path / ".output.staging" / "robots.txt").read_bytes() == b"User-agent: *\n"
