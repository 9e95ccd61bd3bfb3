"""The request and answer models of the api function, one module per resource (see shared.web.model)."""
