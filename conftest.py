"""Root pytest configuration.

pytest's importlib import mode names test modules after their folders, so ``gateway/tests/…``
becomes ``gateway.tests.…``. Were the checkout folder ``gateway/`` registered first, it would hide
the real ``gateway`` package; importing the real package here, before collection, prevents that.
"""

import gateway  # noqa: F401
