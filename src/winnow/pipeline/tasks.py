"""One task of any kind run by a Processor, as every worker runs it (a local worker process, a Dask batch)."""

from __future__ import annotations

import os
import time

from winnow.messages import DiskUnitTask, FileTask, MemberRangeTask
from winnow.pipeline.process import Processor

# Fault injection for the tests of crash and hang handling (a decoder that segfaults or never returns):
# a file whose chain contains the value of one of these variables makes the worker abort or hang.
CRASH_ENV = "WINNOW_FAULT_CRASH_ON"
HANG_ENV = "WINNOW_FAULT_HANG_ON"
SLOW_ENV = "WINNOW_FAULT_SLOW_SECONDS"  # a pause per file, so tests can interrupt a run reliably mid-way


def run_task(processor: Processor, task: FileTask | MemberRangeTask | DiskUnitTask) -> None:
    crash_on, hang_on = os.environ.get(CRASH_ENV), os.environ.get(HANG_ENV)
    if crash_on and crash_on in task.chain:
        os.abort()
    if hang_on and hang_on in task.chain:
        time.sleep(10**6)
    if slow := float(os.environ.get(SLOW_ENV) or 0):
        time.sleep(slow)
    if isinstance(task, MemberRangeTask):
        processor.member_range(task)
    elif isinstance(task, DiskUnitTask):
        from winnow.pipeline.disk_units import run_unit

        run_unit(processor, task)
    else:
        processor.disk_file(task)
