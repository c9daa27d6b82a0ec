"""Discretion benchmarks (行政处罚裁量基准): versioned tables imported from published documents,
the no-penalty list, and the calculator that turns a violation's circumstances into the
allowed fine range or amount (行政处罚法 art 32–34)."""
