"""What every HTTP function shares: API.md's error shape, money types, the OpenAPI document."""
