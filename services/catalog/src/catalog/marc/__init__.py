"""MARC21 reading and writing: lenient, streaming, with every refused record accounted for."""

from catalog.marc.reader import MarcFormat, ReadOutcome, RecordProblem, detect_format, read_records

__all__ = ["MarcFormat", "ReadOutcome", "RecordProblem", "detect_format", "read_records"]
