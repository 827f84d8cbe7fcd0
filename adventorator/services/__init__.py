"""Services over the repositories: characters, identities, transcripts."""
