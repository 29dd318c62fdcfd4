"""Legal deposit in the catalogue: the consumer of ``deposit.deposit.accepted``.

An accepted deposit becomes one MARC21 record (source ``legal_deposit``, so it joins the OAI-PMH set
``regional-bibliography``), one item per printed copy at the provincial library, and for digital
works one e-resource per file, linked to the deposit service (which authenticates, logs and
watermarks every read) with its full text fetched from there and indexed. See ``events.py``.
"""

DEPOSIT_KEY_PREFIX = "legal-deposit/"
"""E-resources whose ``object_key`` starts with this live in the deposit service, not in the
catalogue's object store: ``legal-deposit/<deposit_id>/<file_id>``."""
