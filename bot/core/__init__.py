"""The platform-neutral core: message model, router, context, dialog state."""
