"""Analysis: spatial joins, supply ratios and area summaries over canonical layers."""
