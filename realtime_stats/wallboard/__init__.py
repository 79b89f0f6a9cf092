"""The wallboard's page files: templates, script and style, inlined by routes_wallboard."""
