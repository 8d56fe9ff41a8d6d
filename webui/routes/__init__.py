"""The API's routes, one module per resource; ``app.py`` joins them under ``/api/v1``."""
