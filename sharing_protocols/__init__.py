"""Information-sharing protocols that widen crm.visibility's visible_to (the sharing-protocols issue)."""
