"""The office, its deadline settings and this laptop."""
