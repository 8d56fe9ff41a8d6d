"""The console's pages, one module per tab, in the order of the tabs. Each has ``layout()``, which
places the tab's components (inside the console's ``gr.Tabs``) and returns them, and
``wire(site, page, shell)``, which connects their events to the page functions of
``voxsight.webui.console`` (``analyze``, ``calls``, ``call``...) and renders what those return.
"""
