"""Tiny functions used by the tests of paperlib.common.measure (run in a subprocess)."""


def allocate(mb: int) -> int:
    if mb < 0:
        raise MemoryError("simulated out-of-memory")
    block = bytearray(mb * 1024 * 1024)
    for i in range(0, len(block), 4096):  # touch every page so it is resident
        block[i] = 1
    return mb
