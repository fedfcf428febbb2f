"""Moving data between offline laptops: versions, packages, keys."""
