"""The seeded random client of Tests/fuzz against the real binary, for a bounded time."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
import fuzz_api  # noqa: E402


def test_seeded_random_requests_find_no_crash_no_5xx_and_no_shapeless_error():
    assert fuzz_api.run(seconds=15, seed=7) == 0
