"""common.measure.is_oom: the one out-of-memory detector (benchmarks turn what it accepts into an "oom" row)."""
import torch

from paperlib.common.measure import is_oom, oom_reason


def test_out_of_memory_errors_are_recognised():
    assert is_oom(MemoryError())
    assert is_oom(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert is_oom(RuntimeError("CUDA error: out of memory"))        # an older torch or another allocator


def test_torchs_own_cpu_allocation_failure_is_recognised():
    try:
        torch.empty(10**13)                                          # 40 TB: torch's CPU allocator refuses it
    except RuntimeError as exc:
        assert is_oom(exc), str(exc)
    else:
        raise AssertionError("a 40 TB allocation succeeded")


def test_oom_reason_is_one_line_even_without_a_message():
    assert oom_reason(MemoryError()) == "MemoryError"
    assert oom_reason(RuntimeError("CUDA out of memory.\nTried ...")) == "RuntimeError: CUDA out of memory."


def test_other_errors_are_not():
    assert not is_oom(RuntimeError("expected scalar type Float but found Double"))
    assert not is_oom(ValueError("out of memory"))                   # only a RuntimeError's message counts
    assert not is_oom(KeyboardInterrupt())
