"""For you: recommendations and announcements on the patron's home page."""
