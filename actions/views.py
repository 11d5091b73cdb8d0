"""Views of the actions app; the permission helper for its object type comes first."""
