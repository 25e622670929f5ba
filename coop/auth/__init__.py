"""Users, sign-in, invitations and password reset."""
