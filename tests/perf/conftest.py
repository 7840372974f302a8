"""The benchmark is run on demand (python -m tests.perf.run), never by the default suite."""

collect_ignore_glob = ["*.py"]
