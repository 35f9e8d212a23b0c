"""Write operations of the policies app, one module per job; callers import the module they need."""
