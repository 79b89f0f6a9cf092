"""The wallboard's static files (a placeholder page for now), served by routes_wallboard."""
