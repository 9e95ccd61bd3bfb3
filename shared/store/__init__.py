"""DynamoDB access: the item codec, the clients, and one repository module per table."""
