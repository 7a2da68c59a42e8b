"""GDPR erasure through every version of a dataset repo, Dagster-free.

- :mod:`~crosspair.erasure.ledger`: the append-only ledger of requests (ids as keyed hashes)
  and the ``is_erased`` predicate ingest uses;
- :mod:`~crosspair.erasure.store`: the DVC cache, local remotes, and which version uses which
  object (from every commit's ``dvc.lock`` and ``*.dvc`` files);
- :mod:`~crosspair.erasure.resolve`: what a request means in every version's data;
- :mod:`~crosspair.erasure.rewrite`: filters that take erased rows, members, entries and
  records out of one file;
- :mod:`~crosspair.erasure.plan` and :mod:`~crosspair.erasure.purge`: a saved, sorted plan
  and its idempotent, crash-safe application;
- :mod:`~crosspair.erasure.scan`: finds what is left; :mod:`~crosspair.erasure.report`: the
  audit; :mod:`~crosspair.erasure.forget`: the whole `crosspair forget`.

See docs/erasure.md.
"""
