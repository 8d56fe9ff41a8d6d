"""The web tier: the REST API (FastAPI) and, mounted in the same server, the console.

It reads and writes the SQL store and the Redis queue through the same library calls as the
command line, and never loads a model: importing it leaves torch, funasr and PyAV out of the
process (tests/test_layering.py). ``create_app(config)`` builds the application; ``voxsight
serve`` runs it.
"""
