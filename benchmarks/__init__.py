"""Benchmarks of the pipeline, kept out of the runtime package.

- `python -m benchmarks.bench`: `pipeline check` and `pipeline publish` against Hugo
  (writes docs/benchmarks.md; `nox -s bench`).
- `python -m benchmarks.corpus`: the seeded synthetic corpus the benchmark measures.
- `python -m benchmarks.stages`: CPU per article, stage by stage, in one process.

They use the pipeline only through its public functions and its command line; nothing here
replaces or patches the pipeline's internals.
"""
