"""Peer-learning groups: browsing and joining, invitations, administration, group chats."""
