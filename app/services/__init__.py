"""Domain operations shared by the JSON API and the web UI. No request objects in here."""
