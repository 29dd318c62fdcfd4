"""Backup and restore of a whole Pusip installation (``pusip backup`` / ``pusip restore``).

See :mod:`pusip.backup.core` for what is saved and how it comes back, and
:mod:`pusip.backup.manifest` for the manifest format.
"""
