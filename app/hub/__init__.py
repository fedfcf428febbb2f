"""The prefecture hub on PostgreSQL (issue 18): see ``app.hub.service``."""
