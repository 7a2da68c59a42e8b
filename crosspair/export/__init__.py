"""Exports of a finished build: WebDataset shards, per-split Parquet manifests, a dataset card."""
