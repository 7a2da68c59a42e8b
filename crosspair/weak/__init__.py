"""Weak supervision from saved HTML pages: harvest (image, text) candidates, label them by rules.

``config`` (the sources block), ``pages`` (which pages may be read), ``decoding``, ``urls``
and ``harvest`` (what a page holds), ``discovery`` (candidates and rejects for the discovery
step), ``scripts`` and ``signals`` (words in any script), ``rules`` and ``label_model``
(votes and their combination), ``tables`` (the votes table and the pair table).
"""
