"""Views of the circles app; the permission helper for its object type comes first."""
