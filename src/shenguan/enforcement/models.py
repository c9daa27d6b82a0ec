"""Models of the enforcement app. Each aggregate lives in its own module; they are imported
here so that Django finds them."""

from .discretion.models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule

__all__ = ["Benchmark", "BenchmarkRow", "BenchmarkTable", "NoPenaltyRule"]
