"""The client records dock: clients, visits, saving an analysis to a client."""
