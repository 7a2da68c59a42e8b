"""Semantic pairing: embedding models score pairs, rank new ones and flag noisy ones.

Import the submodules directly; this package imports nothing heavy, since discovery and the
sources file load ``crosspair.semantic.config`` and ``crosspair.semantic.pool``.
"""
