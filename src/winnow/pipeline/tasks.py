"""One task of any kind run by a Processor, as every worker runs it (a local worker process, a Dask batch)."""

from __future__ import annotations

from winnow.messages import DiskUnitTask, FileTask, MemberRangeTask
from winnow.pipeline.process import Processor


def run_task(processor: Processor, task: FileTask | MemberRangeTask | DiskUnitTask) -> None:
    if isinstance(task, MemberRangeTask):
        processor.member_range(task)
    elif isinstance(task, DiskUnitTask):
        from winnow.pipeline.disk_units import run_unit

        run_unit(processor, task)
    else:
        processor.disk_file(task)
