"""The small languages of Arazzo: runtime expressions, templates and criteria.

Everything here is pure: no I/O, and document text is never executed.
"""
