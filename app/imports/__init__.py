"""Bringing in an office's hand-kept registers (issue 17, point 7): the petition register
(信访登记簿) and the key-petitioner ledger (重点信访人员台账), from an .xlsx workbook or a .csv
file.

``sheets`` reads the file and stages its rows in a scratch SQLite table (sqlite-utils), so a
sheet of any size never sits in memory; ``fields`` names what a column can be brought in as
and proposes a mapping from the header; ``bringing`` previews and imports the staged rows, in
one transaction, as records that sync like any other.
"""
