"""Views of the meetings app; the permission helper for its object type comes first."""
