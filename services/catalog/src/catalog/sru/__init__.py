"""SRU 1.2 searchRetrieve and explain, with CQL queries."""
