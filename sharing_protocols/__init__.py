"""Information-sharing protocols that widen access.visibility's visible_to (the sharing-protocols issue)."""
