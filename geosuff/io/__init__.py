"""Readers that turn ONS, CQC, OS and OpenStreetMap files into canonical layers."""
