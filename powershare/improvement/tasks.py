"""Background work for improvement: action reminders join accountability's daily digest."""
