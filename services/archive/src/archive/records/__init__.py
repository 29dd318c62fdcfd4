"""Dynamic records: registration, classification, security, files, berkas, links, imports."""
