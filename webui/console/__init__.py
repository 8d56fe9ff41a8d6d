"""The console: the Gradio pages analysts, supervisors and admins use all day, served by the API's
own server (``voxsight serve``) at ``/console/`` behind the API's sign-in.

One module per page (``analyze``, ``calls``, ``call``, ``alerts``, ``analytics``, ``admin``), each a
set of functions that take the site and the signed-in caller and return plain data, so a page can
be tested against a real store without a browser; ``pages`` holds each tab's Gradio layout and
event wiring (``handlers`` what their handlers share); ``app`` builds the console from the pages and
mounts it; ``signin`` holds the sign-in and sign-out pages; ``access`` who may see what; ``render``
the palette and the HTML the pages show. Like the API, the console reads the store
and the queue through the library and never loads a model.
"""
