"""Weak supervision from saved HTML pages: harvest (image, text) candidates, label them by rules.

``config`` (the sources block), ``urls`` and ``harvest`` (what a page holds), ``discovery``
(candidates and rejects for the discovery step), ``rules`` and ``label_model`` (votes and
their combination), ``tables`` (the votes table and the pair table).
"""
