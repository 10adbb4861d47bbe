"""Events: webinars, master classes, open lessons — announcing, RSVP, reminders, calendar."""
