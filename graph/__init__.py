"""The GraphQL surface: types, permissions, extensions, context, and the federated schema."""
