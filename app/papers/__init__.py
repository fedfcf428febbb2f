"""The printed papers: plain data for reports/, built from the store."""
