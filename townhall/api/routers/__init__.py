"""One router per app; townhall.api.api mounts them under /api/v1/."""
