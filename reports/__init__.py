"""Doorstep's printed papers (ReportLab): plain data in, PDF bytes out.

This package imports nothing of ours and nothing of Qt: ``app`` hands it data classes it defines
and the translators it needs.
"""
