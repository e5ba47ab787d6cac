"""Grow the store and change its chunk size

Eq. 4–5 answer a query with an argmax over every stored embedding. `paperlib.scn.store.EmbeddingStore` keeps the
unit-normalised embeddings in chunks of `CHUNK_SIZE` rows and scans them one chunk at a time with a running max.
What changing `STORE_SIZES` and `CHUNK_SIZE` shows:

* Retrieval stays exact at every size: the noisy copy of a stored row is still closest to its source, and the
  chunked running max returns the same (earliest) argmax as one big matrix product would.
* Latency grows with the number of stored pairs n: every query is one dot product with each stored row, O(n·d)
  work, so per-query latency grows roughly in proportion to n (faster than that once the store no longer fits in
  the CPU caches, slower at the smallest sizes where fixed per-call overhead dominates). Batching queries
  amortises that overhead, so per-query latency in a batch of 64 is below the batch-1 latency. "Infinite context"
  is unbounded, not free.
* Store memory is exactly ⌈n / CHUNK_SIZE⌉ · CHUNK_SIZE · d · 4 bytes (float32): a chunk is allocated whole as
  soon as its first row arrives. With the `cpu` profile's 65,536-row chunks a small store costs the same as a
  full chunk; with small chunks memory tracks n closely. The chunk size changes neither the answers nor the
  O(n·d) latency; it only sets the allocation granularity and the per-query working memory
  (batch × CHUNK_SIZE scores at a time).

check() runs `paperlib.scn.store_bench.synthetic_store_benchmark` (the notebook's cell) at n = 2,000 and 32,000 with
chunks of 4,096 and 65,536 rows and asserts these statements (timing: medians of repeats, loose ratios).
"""
import math


def check() -> dict:
    import torch

    from paperlib.scn.store_bench import synthetic_store_benchmark

    torch.set_num_threads(1)
    dim, out = 384, {}
    for chunk in (4096, 65536):
        for n in (2000, 32000):
            r = synthetic_store_benchmark(n=n, dim=dim, n_queries=64, batch_sizes=[1, 64], repeats=7,
                                          chunk_size=chunk, seed=0)
            assert r["accuracy"] == 1.0, f"retrieval not exact at n={n}, chunk={chunk}: {r['accuracy']}"
            expect_mb = math.ceil(n / chunk) * chunk * dim * 4 / 2 ** 20
            assert abs(r["store_mb"] - expect_mb) < 1e-9, (n, chunk, r["store_mb"], expect_mb)
            out[f"store_mb_n{n}_chunk{chunk}"] = r["store_mb"]
            out[f"batch1_s_n{n}_chunk{chunk}"] = r["batch1_s"]
            out[f"batch64_per_query_s_n{n}_chunk{chunk}"] = r["batch64_per_query_s"]
    for chunk in (4096, 65536):
        grow = out[f"batch1_s_n32000_chunk{chunk}"] / out[f"batch1_s_n2000_chunk{chunk}"]
        out[f"latency_growth_16x_chunk{chunk}"] = grow
        assert grow > 3, f"batch-1 latency grew only {grow:.2f}x for a 16x larger store (chunk {chunk})"
        assert out[f"batch64_per_query_s_n32000_chunk{chunk}"] < out[f"batch1_s_n32000_chunk{chunk}"]
    assert out["store_mb_n2000_chunk65536"] == out["store_mb_n32000_chunk65536"]   # one whole chunk either way
    assert out["store_mb_n2000_chunk4096"] < out["store_mb_n32000_chunk4096"]
    return out


if __name__ == "__main__":
    print(check())
